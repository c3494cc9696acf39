/** The algorithms this issuer signs with (and names in its discovery document). */
export const SigningAlgs = ['RS256', 'ES256'] as const;
export type SigningAlg = (typeof SigningAlgs)[number];

/** When a signing key signs and how long its public half stays in the JWKS. */
export interface KeyWindow {
  kid: string;
  notBefore: Date;
  notAfter: Date;
  publishUntil: Date;
}

export interface KeyPolicy {
  rotationMs: number;
  /** The next key is published this long before it starts signing. */
  prepublishMs: number;
  /** A retired key stays published until the last token it signed has expired. */
  accessTokenTtlMs: number;
  clockSkewMs: number;
}

export type NewKeyWindow = Omit<KeyWindow, 'kid'>;

/** The key that signs now: the newest one whose window holds `now`. */
export function signingKey<K extends KeyWindow>(keys: readonly K[], now: Date): K | undefined {
  return keys
    .filter((key) => key.notBefore <= now && now < key.notAfter)
    .sort((a, b) => b.notBefore.getTime() - a.notBefore.getTime())[0];
}

/** Keys verifiers must see: the signing one, the next one and those whose tokens may still be alive. */
export function publishedKeys<K extends KeyWindow>(keys: readonly K[], now: Date): K[] {
  return keys.filter((key) => key.publishUntil > now);
}

function window(notBefore: Date, policy: KeyPolicy): NewKeyWindow {
  const notAfter = new Date(notBefore.getTime() + policy.rotationMs);
  return {
    notBefore,
    notAfter,
    publishUntil: new Date(notAfter.getTime() + policy.accessTokenTtlMs + policy.clockSkewMs),
  };
}

/**
 * What rotation has to do at `now`: create a key at once when none signs (first start, or a long
 * outage), create the successor once the current key is within the pre-publication window, and
 * drop keys no token can still need.
 */
export function keyPlan(keys: readonly KeyWindow[], now: Date, policy: KeyPolicy) {
  const create: NewKeyWindow[] = [];
  const current = signingKey(keys, now);
  if (!current) {
    create.push(window(now, policy));
  } else if (current.notAfter.getTime() - now.getTime() <= policy.prepublishMs) {
    const hasSuccessor = keys.some((key) => key.notBefore >= current.notAfter);
    if (!hasSuccessor) create.push(window(current.notAfter, policy));
  }
  const expired = keys.filter((key) => key.publishUntil <= now).map((key) => key.kid);
  return { create, expired };
}
