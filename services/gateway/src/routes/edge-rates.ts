import type { Cache, ServiceContext } from '@necp/platform';
import { type RateRule, type RequestFacts, rateIdentity, rateRules, ruleApplies } from '../domain/access-rules.ts';
import type { GatewaySettings } from '../settings.ts';
import { countExactly, type RateCount, SharedTallies } from './rate-counts.ts';

/** Where the edge is in a request: before the caller is known (per-address limits), or after. */
export type Stage = 'edge' | 'account';

export interface RuleCheck {
  rule: RateRule;
  remaining: number;
  resetSeconds: number;
  exceeded: boolean;
}

/** The RateLimit-* headers of the check that decides them. */
export function rateHeaders(
  check: RuleCheck,
): Record<'ratelimit-limit' | 'ratelimit-remaining' | 'ratelimit-reset', string> {
  return {
    'ratelimit-limit': String(check.rule.max),
    'ratelimit-remaining': String(check.remaining),
    'ratelimit-reset': String(check.resetSeconds),
  };
}

export function checkOf(rule: RateRule, { current, ttlMs }: RateCount): RuleCheck {
  return {
    rule,
    remaining: Math.max(0, rule.max - current),
    resetSeconds: Math.ceil(ttlMs / 1000),
    exceeded: current > rule.max,
  };
}

/** Where a rule's count for one identity is kept, in memory and in the shared cache. */
function countKey(rule: RateRule, identity: string): string {
  return `${rule.name}:${identity}`;
}

/** The gateway's rate rules and their counts, shared by the Fastify edge and the front door. */
export class EdgeRates {
  readonly rulesOf: Record<Stage, RateRule[]>;
  readonly #tallies: SharedTallies;
  readonly #cache: Cache;
  readonly #account: RateRule;

  constructor(context: Pick<ServiceContext, 'cache' | 'logger'>, settings: GatewaySettings) {
    const rules = rateRules({
      publicPerIpPerMinute: settings.RATE_LIMIT_PUBLIC_PER_MINUTE,
      accountPerMinute: settings.RATE_LIMIT_ACCOUNT_PER_MINUTE,
      loginPerMinute: settings.RATE_LIMIT_LOGIN_PER_MINUTE,
      simulationsPerCharacterPerMinute: settings.RATE_LIMIT_SIMULATIONS_PER_MINUTE,
      craftingJobsPerCharacterPerMinute: settings.RATE_LIMIT_CRAFTING_JOBS_PER_MINUTE,
      worldImpactsPerMinute: settings.RATE_LIMIT_WORLD_IMPACTS_PER_MINUTE,
    });
    this.rulesOf = {
      edge: rules.filter((rule) => rule.name === 'public-ip'),
      account: rules.filter((rule) => rule.name !== 'public-ip'),
    };
    const account = rules.find((rule) => rule.name === 'account');
    if (!account?.batched) throw new Error('the per-account rule must count in memory');
    this.#account = account;
    this.#cache = context.cache;
    this.#tallies = new SharedTallies(context.cache, {
      syncMs: settings.RATE_LIMIT_SYNC_INTERVAL_MS,
      onSyncError: (error) => context.logger.warn({ err: error }, 'sharing rate counts failed; kept for the next sync'),
    });
  }

  /** Counts the request by `rule`: in memory for the batched rules, in the shared cache for the others. */
  count(rule: RateRule, identity: string): RateCount | Promise<RateCount> {
    const key = countKey(rule, identity);
    return rule.batched ? this.#tallies.count(key, rule.windowMs) : countExactly(this.#cache, key, rule.windowMs);
  }

  /**
   * Whether a caller's request to `path` meets the per-account limit alone (no per-route rule), the
   * one rule the front door counts itself.
   */
  accountRuleAlone(method: string, path: string): boolean {
    const facts: RequestFacts = { method, path, ip: '', isPublic: false, accountId: '-', body: undefined };
    const applicable = this.rulesOf.account.filter((rule) => ruleApplies(rule, facts));
    return applicable.length === 1 && applicable[0] === this.#account;
  }

  /**
   * Counts a request by the per-account limit and gives its headers; undefined, counting nothing,
   * when it would pass the limit (the Fastify edge then counts and refuses it, once).
   */
  countAccountWithin(accountId: string): Record<string, string> | undefined {
    const identity = rateIdentity(this.#account, { accountId } as RequestFacts) as string;
    const account = this.#account;
    const counted = this.#tallies.countWithin(countKey(account, identity), account.windowMs, account.max);
    return counted && rateHeaders(checkOf(account, counted));
  }

  close(): Promise<void> {
    return this.#tallies.close();
  }
}
