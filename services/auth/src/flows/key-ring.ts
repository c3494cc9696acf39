import {
  calculateJwkThumbprint,
  errors,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
  SignJWT,
} from 'jose';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { type KeyPolicy, keyPlan, publishedKeys, signingKey } from '../domain/keys.ts';
import type { AuthSettings } from '../settings.ts';
import { deleteKeys, insertKey, listKeys, type StoredKey, withKeyRotationLock } from '../store/keys.ts';
import type { AuthDatabase } from '../store/tables.ts';
import type { KeySealer } from './key-sealing.ts';

type SigningKeyObject = Awaited<ReturnType<typeof importJWK>>;

/** Parts of a public JWK that may leave the service: never `d`, `p`, `q` or the other private members. */
const publicMembers = ['kty', 'n', 'e', 'crv', 'x', 'y'] as const;

function publicJwk(jwk: JWK): Record<string, unknown> {
  return Object.fromEntries(publicMembers.filter((member) => jwk[member] !== undefined).map((m) => [m, jwk[m]]));
}

/**
 * The issuer's signing keys: rotated on a schedule, the successor published before it signs, the
 * predecessor published until its last token expires. Private halves are sealed in the database
 * and only opened in memory.
 */
export class KeyRing {
  readonly #db: Kysely<AuthDatabase>;
  readonly #settings: AuthSettings;
  readonly #sealer: KeySealer;
  readonly #logger: Logger;
  readonly #policy: KeyPolicy;
  #keys: StoredKey[] = [];
  readonly #privateKeys = new Map<string, Promise<SigningKeyObject>>();
  readonly #publicKeys = new Map<string, Promise<SigningKeyObject>>();
  #lastReload = 0;

  constructor(db: Kysely<AuthDatabase>, settings: AuthSettings, sealer: KeySealer, logger: Logger) {
    this.#db = db;
    this.#settings = settings;
    this.#sealer = sealer;
    this.#logger = logger;
    this.#policy = {
      rotationMs: settings.keyRotationSeconds * 1000,
      prepublishMs: settings.keyPrepublishSeconds * 1000,
      accessTokenTtlMs: settings.accessTokenTtlSeconds * 1000,
      clockSkewMs: settings.clockSkewSeconds * 1000,
    };
  }

  async reload(): Promise<void> {
    this.#keys = await listKeys(this.#db);
    this.#lastReload = Date.now();
  }

  /** Applies the rotation plan under the database lock (one replica creates, the others see it). */
  async rotate(now = new Date()): Promise<void> {
    await withKeyRotationLock(this.#db, async (trx, keys) => {
      const plan = keyPlan(keys, now, this.#policy);
      for (const window of plan.create) {
        const key = await this.#newKey(window);
        await insertKey(trx, key);
        this.#logger.info({ kid: key.kid, notBefore: key.notBefore, notAfter: key.notAfter }, 'signing key created');
      }
      await deleteKeys(trx, plan.expired);
    });
    await this.reload();
  }

  async #newKey(window: Omit<StoredKey, 'kid' | 'alg' | 'publicJwk' | 'sealedPrivateJwk'>): Promise<StoredKey> {
    const alg = this.#settings.signingAlg;
    const pair = await generateKeyPair(alg, { extractable: true });
    const publicPart = publicJwk(await exportJWK(pair.publicKey));
    const kid = await calculateJwkThumbprint(publicPart as JWK);
    const privateJwk = await exportJWK(pair.privateKey);
    return {
      ...window,
      kid,
      alg,
      publicJwk: publicPart,
      sealedPrivateJwk: this.#sealer.seal(JSON.stringify(privateJwk), kid),
    };
  }

  async #currentKey(): Promise<StoredKey> {
    const now = new Date();
    let key = signingKey(this.#keys, now);
    if (!key) {
      // Another replica may have rotated; else this one does.
      await this.reload();
      key = signingKey(this.#keys, now);
    }
    if (!key) {
      await this.rotate(now);
      key = signingKey(this.#keys, now);
    }
    if (!key) throw new Error('no signing key could be created');
    return key;
  }

  #privateKey(key: StoredKey): Promise<SigningKeyObject> {
    let found = this.#privateKeys.get(key.kid);
    if (!found) {
      found = importJWK(JSON.parse(this.#sealer.open(key.sealedPrivateJwk, key.kid)) as JWK, key.alg);
      this.#privateKeys.set(key.kid, found);
    }
    return found;
  }

  /**
   * Throws unless the current signing key can be opened with this replica's secret: a replica with
   * another AUTH_KEY_ENCRYPTION_SECRET reports unready instead of failing every login.
   */
  async assertUsable(): Promise<void> {
    await this.#privateKey(await this.#currentKey());
  }

  /** Signs an access token (RFC 9068 header `typ: at+jwt`) with the current key. */
  signAccessToken(payload: JWTPayload): Promise<string> {
    return this.#sign(payload, 'at+jwt');
  }

  /** Signs an OpenID Connect ID token (`typ: JWT`, which no access-token verifier accepts) with the current key. */
  signIdToken(payload: JWTPayload): Promise<string> {
    return this.#sign(payload, 'JWT');
  }

  async #sign(payload: JWTPayload, typ: string): Promise<string> {
    const key = await this.#currentKey();
    return new SignJWT(payload)
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ })
      .sign(await this.#privateKey(key));
  }

  /** The JWKS document: public halves of the keys verifiers may meet. */
  jwks(now = new Date()): { keys: Record<string, unknown>[] } {
    return {
      keys: publishedKeys(this.#keys, now).map((key) => ({ ...key.publicJwk, kid: key.kid, alg: key.alg, use: 'sig' })),
    };
  }

  /** For verifying this service's own tokens without a network hop. */
  readonly getKey: JWTVerifyGetKey = async (header) => {
    const find = () => publishedKeys(this.#keys, new Date()).find((key) => key.kid === header.kid);
    let key = find();
    // An unknown kid may be a successor another replica just made; reload at most once a second.
    if (!key && Date.now() - this.#lastReload > 1000) {
      await this.reload();
      key = find();
    }
    if (!key || key.alg !== header.alg) throw new errors.JWKSNoMatchingKey();
    let publicKey = this.#publicKeys.get(key.kid);
    if (!publicKey) {
      publicKey = importJWK(key.publicJwk as JWK, key.alg);
      this.#publicKeys.set(key.kid, publicKey);
    }
    return publicKey;
  };
}
