import { Readable } from 'node:stream';
import cors from '@fastify/cors';
import { normalizeIP } from '@fastify/rate-limit';
import { AppError, documentEdgeAnswers, type HttpApp, useAuthentication } from '@necp/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  isPublicRoute,
  type RateRule,
  type RequestFacts,
  rateIdentity,
  rateRules,
  ruleApplies,
} from '../domain/access-rules.ts';
import type { GatewayDeps } from '../settings.ts';
import { keepBufferedBody } from './buffered-bodies.ts';
import { countExactly, type RateCount, SharedTallies } from './rate-counts.ts';
import { liftStreamToken } from './stream.ts';

/** The OAuth endpoints, whose clients read refusals in RFC 6749 §5.2's shape (`error`, `error_description`). */
const OAuthPaths = new Set(['/api/v1/auth/token', '/api/v1/auth/revoke']);

/**
 * Public routes, and any other method at their paths: such a request reaches the service without a
 * verified caller, so the service answers it as it answers any caller, with its own token check on
 * whatever it routes there and 405 for a method it does not take (not a 401 for a route that
 * needs no token).
 */
function isOpenPath(method: string, path: string): boolean {
  return isPublicRoute(method, path) || isPublicRoute('GET', path) || isPublicRoute('POST', path);
}

function pathOf(request: FastifyRequest): string {
  return request.url.split('?')[0] ?? request.url;
}

/**
 * Buffers a proxied body (the proxy passes it on as a stream) so that rules can read the login name
 * or the character id; the same bytes are what the proxy then forwards.
 */
async function readBody(request: FastifyRequest, limit: number): Promise<Record<string, unknown> | undefined> {
  if (!(request.body instanceof Readable)) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      const detail = `The body is larger than ${limit} bytes`;
      const oauth = OAuthPaths.has(pathOf(request)) ? { error: 'invalid_request', error_description: detail } : {};
      throw new AppError('PAYLOAD_TOO_LARGE', detail, { extensions: oauth });
    }
    chunks.push(chunk);
  }
  const raw = Buffer.concat(chunks);
  keepBufferedBody(request, raw);
  // Handed on as a stream again: the proxy forwards a stream byte for byte, but would re-encode a Buffer.
  request.body = Readable.from([raw]);
  const type = String(request.headers['content-type'] ?? '');
  try {
    if (type.includes('json')) {
      const parsed: unknown = JSON.parse(raw.toString('utf8'));
      return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
    }
    if (type.includes('application/x-www-form-urlencoded')) {
      return Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
    }
  } catch {
    // A malformed body is the service's to refuse (400); it simply carries no key for a rule.
  }
  return undefined;
}

interface RuleCheck {
  rule: RateRule;
  max: number;
  remaining: number;
  resetSeconds: number;
  exceeded: boolean;
}

/**
 * Identity and request rates at the edge: CORS, per-IP limits on public routes, bearer tokens
 * verified (signature, claims, deny-list) on every other route, then per-account and per-route
 * limits. Every limited answer carries RateLimit-* headers; a refused one is 429 with Retry-After.
 */
export async function edgeSecurity(app: HttpApp, { context, settings }: GatewayDeps): Promise<void> {
  const { config } = context;
  if (settings.CORS_ORIGINS) {
    const origins =
      settings.CORS_ORIGINS === '*' ? true : settings.CORS_ORIGINS.split(',').map((origin) => origin.trim());
    await app.register(cors, {
      origin: origins,
      exposedHeaders: ['x-request-id', 'retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'],
    });
  }
  // Every route counts against a limit (per address when public, per account otherwise).
  documentEdgeAnswers(app.server, [429]);

  const rules = rateRules({
    publicPerIpPerMinute: settings.RATE_LIMIT_PUBLIC_PER_MINUTE,
    accountPerMinute: settings.RATE_LIMIT_ACCOUNT_PER_MINUTE,
    loginPerMinute: settings.RATE_LIMIT_LOGIN_PER_MINUTE,
    simulationsPerCharacterPerMinute: settings.RATE_LIMIT_SIMULATIONS_PER_MINUTE,
    craftingJobsPerCharacterPerMinute: settings.RATE_LIMIT_CRAFTING_JOBS_PER_MINUTE,
    worldImpactsPerMinute: settings.RATE_LIMIT_WORLD_IMPACTS_PER_MINUTE,
  });
  const tallies = new SharedTallies(context.cache, {
    syncMs: settings.RATE_LIMIT_SYNC_INTERVAL_MS,
    onSyncError: (error) => context.logger.warn({ err: error }, 'sharing rate counts failed; kept for the next sync'),
  });
  app.addHook('onClose', () => tallies.close());
  const count = (rule: RateRule, identity: string): RateCount | Promise<RateCount> => {
    const key = `${rule.name}:${identity}`;
    return rule.batched ? tallies.count(key, rule.windowMs) : countExactly(context.cache, key, rule.windowMs);
  };

  async function enforce(request: FastifyRequest, reply: FastifyReply, stage: 'edge' | 'account') {
    const path = pathOf(request);
    const facts: RequestFacts = {
      method: request.method,
      path,
      ip: normalizeIP(request.ip),
      isPublic: isOpenPath(request.method, path),
      accountId: request.auth?.accountId,
      body: undefined,
    };
    const applicable = rules.filter(
      (rule) => (rule.name === 'public-ip') === (stage === 'edge') && ruleApplies(rule, facts),
    );
    if (applicable.length === 0) return;
    if (applicable.some((rule) => rule.readsBody)) facts.body = await readBody(request, config.BODY_LIMIT_BYTES);
    const checks: RuleCheck[] = [];
    for (const rule of applicable) {
      const identity = rateIdentity(rule, facts);
      if (identity === undefined) continue;
      const { current, ttlMs } = await count(rule, identity);
      checks.push({
        rule,
        max: rule.max,
        remaining: Math.max(0, rule.max - current),
        resetSeconds: Math.ceil(ttlMs / 1000),
        exceeded: current > rule.max,
      });
    }
    const tightest = checks.sort((a, b) => Number(b.exceeded) - Number(a.exceeded) || a.remaining - b.remaining)[0];
    if (!tightest) return;
    const headers = {
      'ratelimit-limit': String(tightest.max),
      'ratelimit-remaining': String(tightest.remaining),
      'ratelimit-reset': String(tightest.resetSeconds),
    };
    reply.headers(headers);
    if (tightest.exceeded) {
      const detail = `Too many requests (${tightest.rule.name}); retry in ${tightest.resetSeconds} s`;
      const oauth = OAuthPaths.has(path) ? { error: 'temporarily_unavailable', error_description: detail } : {};
      throw new AppError('RATE_LIMITED', detail, {
        headers: { ...headers, 'retry-after': String(tightest.resetSeconds) },
        extensions: { limit: tightest.rule.name, ...oauth },
      });
    }
  }

  app.addHook('onRequest', (request, reply) => enforce(request, reply, 'edge'));
  app.addHook('onRequest', async (request) => liftStreamToken(request));
  useAuthentication(app, context.authenticator, {
    isPublic: (request) => isOpenPath(request.method, pathOf(request)),
    besideDenyList: (request, reply) => enforce(request, reply, 'account'),
  });
}
