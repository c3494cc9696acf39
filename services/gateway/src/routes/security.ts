import { Readable } from 'node:stream';
import cors from '@fastify/cors';
import { normalizeIP } from '@fastify/rate-limit';
import { AppError, documentEdgeAnswers, edgeAuthentication, type HttpApp } from '@necp/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isOpenPath, type RateRule, type RequestFacts, rateIdentity, ruleApplies } from '../domain/access-rules.ts';
import type { GatewayDeps } from '../settings.ts';
import { keepBufferedBody } from './buffered-bodies.ts';
import { checkOf, type RuleCheck, rateHeaders, type Stage } from './edge-rates.ts';
import type { RateCount } from './rate-counts.ts';
import { liftStreamToken } from './stream.ts';

/** The OAuth endpoints, whose clients read refusals in RFC 6749 §5.2's shape (`error`, `error_description`). */
const OAuthPaths = new Set(['/api/v1/auth/token', '/api/v1/auth/revoke']);

/** A request's path: its URL without the query. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
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
      const oauth = OAuthPaths.has(pathOf(request.url)) ? { error: 'invalid_request', error_description: detail } : {};
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

/** The check that decides the answer's headers: an exceeded rule first, then the fewest requests left. */
function tightestOf(checks: readonly RuleCheck[]): RuleCheck | undefined {
  let tightest: RuleCheck | undefined;
  for (const check of checks) {
    if (
      !tightest ||
      (check.exceeded && !tightest.exceeded) ||
      (check.exceeded === tightest.exceeded && check.remaining < tightest.remaining)
    ) {
      tightest = check;
    }
  }
  return tightest;
}

/**
 * Identity and request rates at the edge: CORS, per-IP limits on public routes, bearer tokens
 * verified (signature, claims, deny-list) on every other route, then per-account and per-route
 * limits. Every limited answer carries RateLimit-* headers; a refused one is 429 with Retry-After.
 * A request's path and openness are worked out once, in the one `onRequest` hook, and a stage whose
 * counts all live in memory (every proxied call's per-account limit) answers without a promise.
 */
export async function edgeSecurity(app: HttpApp, { context, settings, rates }: GatewayDeps): Promise<void> {
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

  app.addHook('onClose', () => rates.close());

  /** Sets the tightest rule's headers; throws 429 when it is exceeded. */
  function judge(reply: FastifyReply, path: string, checks: readonly RuleCheck[]): void {
    const tightest = tightestOf(checks);
    if (!tightest) return;
    const headers = rateHeaders(tightest);
    reply.headers(headers);
    if (tightest.exceeded) {
      const reset = headers['ratelimit-reset'];
      const detail = `Too many requests (${tightest.rule.name}); retry in ${reset} s`;
      const oauth = OAuthPaths.has(path) ? { error: 'temporarily_unavailable', error_description: detail } : {};
      throw new AppError('RATE_LIMITED', detail, {
        headers: { ...headers, 'retry-after': reset },
        extensions: { limit: tightest.rule.name, ...oauth },
      });
    }
  }

  /** Counts the request by each applicable rule; in memory alone, without a promise. */
  function countAll(
    reply: FastifyReply,
    applicable: readonly RateRule[],
    facts: RequestFacts,
  ): Promise<void> | undefined {
    const counted: RateRule[] = [];
    const counts: (RateCount | Promise<RateCount>)[] = [];
    for (const rule of applicable) {
      const identity = rateIdentity(rule, facts);
      if (identity === undefined) continue;
      counted.push(rule);
      counts.push(rates.count(rule, identity));
    }
    const checksOf = (settled: readonly RateCount[]): RuleCheck[] =>
      settled.map((ruleCount, index) => checkOf(counted[index] as RateRule, ruleCount));
    if (counts.some((ruleCount) => ruleCount instanceof Promise)) {
      return Promise.all(counts).then((settled) => judge(reply, facts.path, checksOf(settled)));
    }
    judge(reply, facts.path, checksOf(counts as RateCount[]));
    return undefined;
  }

  function enforce(
    request: FastifyRequest,
    reply: FastifyReply,
    stage: Stage,
    path: string,
    isPublic: boolean,
  ): Promise<void> | undefined {
    const facts: RequestFacts = {
      method: request.method,
      path,
      ip: '',
      isPublic,
      accountId: request.auth?.accountId,
      body: undefined,
    };
    const applicable = rates.rulesOf[stage].filter((rule) => ruleApplies(rule, facts));
    if (applicable.length === 0) return undefined;
    facts.ip = normalizeIP(request.ip);
    if (applicable.some((rule) => rule.readsBody)) {
      const rulesRead = applicable;
      return readBody(request, config.BODY_LIMIT_BYTES).then((body) => {
        facts.body = body;
        return countAll(reply, rulesRead, facts);
      });
    }
    return countAll(reply, applicable, facts);
  }

  const authentication = edgeAuthentication(app, context.authenticator);
  /** The path and openness of each request, worked out once for both hooks. */
  const openness = new WeakMap<FastifyRequest, { path: string; isPublic: boolean }>();
  app.addHook('onRequest', async (request, reply) => {
    const path = pathOf(request.url);
    const isPublic = isOpenPath(path);
    openness.set(request, { path, isPublic });
    // Counts kept in memory answer at once: the request goes on without waiting a turn.
    const limited = enforce(request, reply, 'edge', path, isPublic);
    if (limited) await limited;
    liftStreamToken(request);
    await authentication.identify(request, isPublic);
  });
  app.addHook('preHandler', async (request, reply) => {
    const known = openness.get(request);
    const path = known?.path ?? pathOf(request.url);
    const isPublic = known?.isPublic ?? isOpenPath(path);
    const denied = authentication.checkDenied(request);
    let beside: Promise<void> | undefined;
    try {
      beside = enforce(request, reply, 'account', path, isPublic);
    } catch (error) {
      // A denied caller hears that, not that it was also over a rate limit.
      await denied;
      throw error;
    }
    if (denied) {
      try {
        await denied;
      } catch (error) {
        beside?.catch(() => undefined);
        throw error;
      }
    }
    if (beside) await beside;
  });
}
