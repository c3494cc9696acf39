import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import swagger from '@fastify/swagger';
import { registerAjvFormats, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyRequest, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { Type } from 'typebox';
import { createHttpMetrics } from '../metrics.ts';
import { AppError, buildProblem, PROBLEM_CONTENT_TYPE } from '../problem.ts';
import { formatTraceparent, parseTraceparent, runWithTrace } from '../trace-context.ts';
import { SpanKind, startWorkSpan, type WorkSpan } from '../tracing.ts';
import { installProblemHandlers, methodNotAllowed, routerRefusalHandler } from './errors.ts';
import { clientErrorHandler, createRouteTable } from './framework-refusals.ts';
import { lendFrontDoorFacilities } from './front-door.ts';
import type { HttpApp } from './http-app.ts';
import { installJsonBodyParser } from './json-body.ts';
import { lazySerializers } from './lazy-serializers.ts';
import { documentedSchema } from './openapi-answers.ts';
import { StrictValidatorCompiler } from './strict-validation.ts';

export type { HttpApp } from './http-app.ts';

registerAjvFormats();

/** A dependency check for `/ready`: resolves when the dependency answers, throws otherwise. */
export type ReadinessCheck = () => Promise<void>;

export interface HttpServiceOptions {
  name: string;
  version?: string;
  description?: string;
  host: string;
  port: number;
  logger: Logger;
  /** The service's own metrics; HTTP metrics are added to it. */
  metrics: Registry;
  /** Process-wide metrics (runtime, relay, default collectors) served beside the service's own. */
  processMetrics?: Registry;
  bodyLimit: number;
  readiness: Record<string, ReadinessCheck>;
  /** Adds the service's own routes; runs inside the app before it listens. */
  routes: (app: HttpApp) => void | Promise<void>;
  readinessTimeoutMs?: number;
  /** How long `close` waits for in-flight requests before it cuts the remaining connections. */
  drainTimeoutMs?: number;
  /**
   * The service passes request bodies on unparsed (the gateway's proxy, which brings its own
   * parsers): the JSON parser that refuses unstorable text is left to the services behind it.
   */
  forwardsBodies?: boolean;
}

export interface HttpService {
  app: HttpApp;
  /** Listens; resolves with the bound port (useful with port 0 in tests). */
  listen(): Promise<number>;
  /** Stops accepting, waits for in-flight requests, then resolves. */
  close(): Promise<void>;
}

const InfraTag = 'infrastructure';
const Health = Type.Object({ status: Type.Literal('ok'), service: Type.String() });
const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unready')]),
  service: Type.String(),
  checks: Type.Record(Type.String(), Type.String()),
});
const MetricsText = {
  description: 'Prometheus text exposition',
  content: { 'text/plain': { schema: Type.String() } },
};

async function checkAll(readiness: Record<string, ReadinessCheck>, timeoutMs: number) {
  const entries = await Promise.all(
    Object.entries(readiness).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          check(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        return [name, 'ok'] as const;
      } catch (error) {
        return [name, error instanceof Error ? error.message : String(error)] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ready: entries.every(([, status]) => status === 'ok'), checks: Object.fromEntries(entries) };
}

/** The caller's `x-request-id` when it is a sane one, a new id otherwise. */
function requestIdOf(headers: IncomingHttpHeaders): string {
  const header = headers['x-request-id'];
  return typeof header === 'string' && /^[\w.:-]{1,128}$/.test(header) ? header : randomUUID();
}

/**
 * The one way a service serves HTTP: problem+json errors, trace context, RED metrics,
 * `/health`, `/ready`, `/metrics` and `/openapi.json` generated from the route schemas.
 */
export async function createHttpService(options: HttpServiceOptions): Promise<HttpService> {
  const app = Fastify({
    loggerInstance: options.logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit,
    // Answered by the hook below, as a problem like every other refusal.
    return503OnClosing: false,
    frameworkErrors: routerRefusalHandler(options.logger),
    clientErrorHandler: clientErrorHandler(options.logger),
    forceCloseConnections: 'idle',
    schemaController: { compilersFactory: { buildSerializer: lazySerializers } },
    genReqId: (request) => requestIdOf(request.headers),
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as HttpApp;
  app.setValidatorCompiler(StrictValidatorCompiler);
  const routeTable = createRouteTable();
  app.addHook('onRoute', routeTable.record);
  installProblemHandlers(app, options.logger);
  if (!options.forwardsBodies) installJsonBodyParser(app);
  // An `Expect` other than 100-continue: Node would answer 417 with no body.
  app.server.on('checkExpectation', (_request, response) => {
    const problem = buildProblem('EXPECTATION_FAILED', 'Only Expect: 100-continue is understood', '0'.repeat(32));
    response.writeHead(417, { 'content-type': PROBLEM_CONTENT_TYPE, connection: 'close' });
    response.end(JSON.stringify(problem));
  });

  const httpMetrics = createHttpMetrics(options.metrics);
  const requestSpan = (method: string, route: string, headers: IncomingHttpHeaders): WorkSpan => {
    const header = headers.traceparent;
    return startWorkSpan(
      `${method} ${route}`,
      SpanKind.SERVER,
      parseTraceparent(typeof header === 'string' ? header : undefined),
      { 'http.request.method': method, 'http.route': route, 'service.component': options.name },
    );
  };
  const recordAnswer = (
    span: WorkSpan | undefined,
    method: string,
    route: string,
    status: number,
    elapsedMs: number,
  ) => {
    const labels = { method, route, status: String(status) };
    httpMetrics.requests.inc(labels);
    httpMetrics.duration.observe(labels, elapsedMs / 1000);
    span?.end({
      attributes: { 'http.response.status_code': status },
      ...(status >= 500 ? { error: `HTTP ${status}` } : {}),
    });
  };
  /** Each request's span and route template, the latter read once (Fastify builds `routeOptions` per read). */
  const traced = new WeakMap<FastifyRequest, { span: WorkSpan; route: string }>();
  let closing = false;
  lendFrontDoorFacilities(app, {
    closing: () => closing,
    begin(method, route, headers, startedAt) {
      const span = requestSpan(method, route, headers);
      const requestId = requestIdOf(headers);
      let ended = false;
      return {
        requestId,
        trace: span.context,
        answerHeaders: { 'x-request-id': requestId, traceparent: formatTraceparent(span.context) },
        end(status) {
          if (ended) return;
          ended = true;
          recordAnswer(span, method, route, status, performance.now() - startedAt);
        },
      };
    },
  });
  // One hook: the trace context first (so that every answer, a refusal too, carries it), then the
  // refusals before the body is read: the service is shutting down (503), a wrong method (405).
  app.addHook('onRequest', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const span = requestSpan(request.method, route, request.headers);
    traced.set(request, { span, route });
    reply.header('x-request-id', request.id);
    reply.header('traceparent', formatTraceparent(span.context));
    if (!closing) return runWithTrace(span.context, () => done(methodNotAllowed(request, routeTable)));
    reply.header('connection', 'close');
    runWithTrace(span.context, () => done(new AppError('SERVICE_UNAVAILABLE', `${options.name} is shutting down`)));
  });
  // A 304 has no body (RFC 9110 §15.4.5): a serialized `null` and its length would make a
  // keep-alive client wait for bytes Node never sends.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (reply.statusCode !== 304) return done(null, payload);
    reply.removeHeader('content-type');
    reply.removeHeader('content-length');
    done(null, null);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const work = traced.get(request);
    const route = work ? work.route : (request.routeOptions.url ?? 'unmatched');
    recordAnswer(work?.span, request.method, route, reply.statusCode, reply.elapsedTime);
    done();
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: options.name, version: options.version ?? '0.1.0', description: options.description ?? '' },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
    transform: ({ schema, url, route }) => ({
      schema: documentedSchema(route, schema, { readsBodies: !options.forwardsBodies, server: app.server }) ?? schema,
      url,
    }),
  });

  const timeoutMs = options.readinessTimeoutMs ?? 2000;
  app.get('/health', { schema: { tags: [InfraTag], summary: 'Liveness', response: { 200: Health } } }, async () => ({
    status: 'ok' as const,
    service: options.name,
  }));
  app.get(
    '/ready',
    {
      schema: {
        tags: [InfraTag],
        summary: 'Readiness of the dependencies',
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (_r, reply) => {
      const result = await checkAll(options.readiness, timeoutMs);
      return reply
        .code(result.ready ? 200 : 503)
        .send({ status: result.ready ? 'ready' : 'unready', service: options.name, checks: result.checks });
    },
  );
  app.get(
    '/metrics',
    { schema: { tags: [InfraTag], summary: 'Prometheus metrics', response: { 200: MetricsText } } },
    async (_r, reply) => {
      const own = await options.metrics.metrics();
      const shared = options.processMetrics ? await options.processMetrics.metrics() : '';
      return reply.type(options.metrics.contentType).send(`${own}\n${shared}`);
    },
  );
  app.get(
    '/openapi.json',
    { schema: { tags: [InfraTag], summary: 'This document', response: { 200: Type.Unknown() } } },
    async () => app.swagger(),
  );

  await options.routes(app);
  await app.ready();

  return {
    app,
    async listen() {
      await app.listen({ host: options.host, port: options.port });
      const address = app.server.address();
      return typeof address === 'object' && address ? address.port : options.port;
    },
    async close() {
      // Drains in-flight requests; a connection still open at the deadline (a peer that keeps a
      // request half-sent, say) is cut so that shutdown always ends. A keep-alive connection whose
      // request was answered meanwhile is closed as soon as it is idle, not at the deadline.
      closing = true;
      const deadline = setTimeout(() => app.server.closeAllConnections(), options.drainTimeoutMs ?? 5000);
      const idle = setInterval(() => app.server.closeIdleConnections(), 50);
      try {
        await app.close();
      } finally {
        clearTimeout(deadline);
        clearInterval(idle);
      }
    },
  };
}
