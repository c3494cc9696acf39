/**
 * Who may call what without a token, and the request-rate rules of the gateway (shared/API.md §1,
 * §2, §4, §6, §7, §8). Pure: the HTTP layer applies them.
 */

const publicExact = new Set([
  'POST /api/v1/auth/register',
  'POST /api/v1/auth/token',
  // RFC 7009: a public client revokes with its client_id, no bearer token.
  'POST /api/v1/auth/revoke',
  'POST /api/v1/auth/login',
  'GET /api/v1/characters/reference',
  'GET /api/v1/world/districts',
  'GET /api/v1/health',
  'GET /health',
  'GET /ready',
  'GET /metrics',
  'GET /openapi.json',
]);
const publicPrefixes = ['/.well-known/', '/docs'];

export function isPublicRoute(method: string, path: string): boolean {
  const verb = method === 'HEAD' ? 'GET' : method;
  if (publicExact.has(`${verb} ${path}`)) return true;
  return (verb === 'GET' || verb === 'OPTIONS') && publicPrefixes.some((prefix) => path.startsWith(prefix));
}

/** The paths of the public routes, whatever their method. */
const publicPaths: ReadonlySet<string> = new Set([...publicExact].map((route) => route.slice(route.indexOf(' ') + 1)));

/**
 * A path of a public route, by any method: such a request reaches the service without a verified
 * caller, so the service answers it as it answers any caller, with its own token check on whatever
 * it routes there and 405 for a method it does not take (not a 401 for a route that needs no token).
 * The same as `isPublicRoute` by the request's method, GET or POST, in one look-up.
 */
export function isOpenPath(path: string): boolean {
  return publicPaths.has(path) || publicPrefixes.some((prefix) => path.startsWith(prefix));
}

/** What a rule counts by: the client address, the account, the login name tried (from one address), or the character. */
export type RateKey = 'ip' | 'account' | 'login' | 'character';

export interface RateRule {
  name: string;
  max: number;
  windowMs: number;
  keyBy: RateKey;
  method: string | undefined;
  /** Matches the path exactly, or every path under it when it ends with a slash. */
  path: string | undefined;
  /** Rules that read the body (login name, characterId) need it buffered before they run. */
  readsBody: boolean;
  /**
   * Counted in the gateway's memory and shared with the other replicas in batches (no round trip
   * per request): the rules every request meets, whose limits are far above what one batch adds.
   * The others, small limits on a few routes, count each request in the shared cache exactly.
   */
  batched: boolean;
}

export interface RateLimits {
  publicPerIpPerMinute: number;
  accountPerMinute: number;
  loginPerMinute: number;
  simulationsPerCharacterPerMinute: number;
  craftingJobsPerCharacterPerMinute: number;
  worldImpactsPerMinute: number;
}

const MINUTE = 60_000;

function rule(name: string, max: number, keyBy: RateKey, method?: string, path?: string): RateRule {
  return {
    name,
    max,
    windowMs: MINUTE,
    keyBy,
    method,
    path,
    readsBody: keyBy === 'login' || keyBy === 'character',
    batched: path === undefined,
  };
}

/** The gateway's rules; every request is counted by each rule that matches it. */
export function rateRules(limits: RateLimits): RateRule[] {
  return [
    rule('public-ip', limits.publicPerIpPerMinute, 'ip'),
    rule('account', limits.accountPerMinute, 'account'),
    rule('login-ip', limits.loginPerMinute, 'ip', 'POST', '/api/v1/auth/login'),
    rule('login-name', limits.loginPerMinute, 'login', 'POST', '/api/v1/auth/login'),
    rule('token-ip', limits.loginPerMinute, 'ip', 'POST', '/api/v1/auth/token'),
    rule('token-name', limits.loginPerMinute, 'login', 'POST', '/api/v1/auth/token'),
    rule(
      'ballistics-simulate',
      limits.simulationsPerCharacterPerMinute,
      'character',
      'POST',
      '/api/v1/gameplay/combat/ballistics/simulate',
    ),
    rule(
      'crafting-jobs',
      limits.craftingJobsPerCharacterPerMinute,
      'character',
      'POST',
      '/api/v1/economy/crafting/jobs',
    ),
    rule('impact-simulate', limits.worldImpactsPerMinute, 'account', 'POST', '/api/v1/world/impact/simulate'),
    rule('impact-apply', limits.worldImpactsPerMinute, 'account', 'POST', '/api/v1/world/impact/apply'),
  ];
}

export interface RequestFacts {
  method: string;
  path: string;
  ip: string;
  isPublic: boolean;
  accountId: string | undefined;
  body: Record<string, unknown> | undefined;
}

export function ruleApplies(candidate: RateRule, facts: RequestFacts): boolean {
  if (candidate.name === 'public-ip') return facts.isPublic;
  if (candidate.name === 'account') return !facts.isPublic && facts.accountId !== undefined;
  if (candidate.method !== facts.method || candidate.path === undefined) return false;
  return candidate.path.endsWith('/') ? facts.path.startsWith(candidate.path) : facts.path === candidate.path;
}

/** The identity a rule counts, or undefined when the request does not carry it (the rule then skips). */
export function rateIdentity(candidate: RateRule, facts: RequestFacts): string | undefined {
  switch (candidate.keyBy) {
    case 'ip':
      return facts.ip;
    case 'account':
      return facts.accountId;
    case 'login': {
      // Per name from one address: a count of the name alone would let anyone, from anywhere, keep
      // its owner from signing in (auth-service's lockout counts per account and source for the same reason).
      const login = facts.body?.login ?? facts.body?.username;
      return typeof login === 'string' && login.length > 0 ? `${login.toLowerCase()}@${facts.ip}` : undefined;
    }
    case 'character': {
      const characterId = facts.body?.characterId;
      return typeof characterId === 'string' ? characterId : facts.accountId;
    }
  }
}
