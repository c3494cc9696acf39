/**
 * OpenTelemetry export: a request and the event it writes, consumed elsewhere, arrive at an OTLP/HTTP
 * receiver as spans of one trace, each the child of the one before, with the ids the platform put
 * in its headers and outbox row.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { idempotentConsumer } from '../../src/events/consumer.ts';
import { InProcessBus } from '../../src/events/in-process-bus.ts';
import { writeEvent } from '../../src/events/outbox.ts';
import { OutboxRelay } from '../../src/events/outbox-relay.ts';
import { createHttpService, type HttpService } from '../../src/http/http-service.ts';
import { createLogger } from '../../src/logger.ts';
import { adapterLabel, createTestDatabase, type TestDatabase } from '../../src/testing.ts';
import { currentTrace } from '../../src/trace-context.ts';
import { disableTracing, enableTracing } from '../../src/tracing.ts';

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: { stringValue?: string; intValue?: string | number } }[];
}

const SERVER = 2;
const CONSUMER = 5;
const logger = createLogger('test', 'silent');

describe(`OpenTelemetry export on ${adapterLabel}`, () => {
  let receiver: Server;
  const exported: { service: string; span: ExportedSpan }[] = [];
  let test: TestDatabase;
  let service: HttpService | undefined;
  let port: number;

  before(async () => {
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        if (request.url === '/v1/traces') {
          const message = JSON.parse(body) as {
            resourceSpans: {
              resource: { attributes: { key: string; value: { stringValue: string } }[] };
              scopeSpans: { spans: ExportedSpan[] }[];
            }[];
          };
          for (const resourceSpans of message.resourceSpans) {
            const name = resourceSpans.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
            for (const scope of resourceSpans.scopeSpans)
              for (const span of scope.spans) exported.push({ service: name ?? '', span });
          }
        }
        response.setHeader('content-type', 'application/json');
        response.end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    await enableTracing(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}`, 'necp-test');
    test = await createTestDatabase();
    service = await createHttpService({
      name: 'traced',
      host: '127.0.0.1',
      port: 0,
      logger,
      metrics: new Registry(),
      bodyLimit: 1024,
      readiness: {},
      routes(app) {
        app.post('/sessions/:accountId/revoke', async (request) => {
          const { accountId } = request.params as { accountId: string };
          await test.db.kysely.transaction().execute((trx) =>
            writeEvent(trx, 'auth', {
              topic: 'auth.session.revoked',
              key: accountId,
              payload: { accountId, sessionId: randomUUID() },
            }),
          );
          return currentTrace();
        });
      },
    });
    port = await service.listen();
  });
  after(async () => {
    // Also after a failed `before`: an open receiver would keep the test process alive.
    await service?.close();
    await (test as TestDatabase | undefined)?.close();
    await disableTracing();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('exports the request and the consumed event as parent and child spans of the caller’s trace', async () => {
    const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const response = await fetch(`http://127.0.0.1:${port}/sessions/${randomUUID()}/revoke`, {
      method: 'POST',
      headers: { traceparent: `00-${callerTrace}-${callerSpan}-01` },
    });
    assert.equal(response.status, 200);
    const inside = (await response.json()) as { traceId: string; spanId: string };
    assert.equal(inside.traceId, callerTrace);
    assert.equal(response.headers.get('traceparent'), `00-${callerTrace}-${inside.spanId}-01`);

    const bus = new InProcessBus(logger);
    await bus.subscribe(idempotentConsumer(test.db, 'traced-consumer', ['auth.session.revoked'], async () => {}));
    await new OutboxRelay({ db: test.db, bus, logger, metrics: new Registry() }).drain();
    await disableTracing(); // exports what is pending

    const server = exported.find((each) => each.span.name === 'POST /sessions/:accountId/revoke');
    assert.ok(server, `exported: ${exported.map((each) => each.span.name).join(', ')}`);
    assert.equal(server.service, 'necp-test');
    assert.equal(server.span.kind, SERVER);
    assert.equal(server.span.traceId, callerTrace);
    assert.equal(server.span.parentSpanId, callerSpan);
    assert.equal(server.span.spanId, inside.spanId, 'the span the logs and headers named');
    const status = server.span.attributes.find((a) => a.key === 'http.response.status_code')?.value.intValue;
    assert.equal(Number(status), 200);

    const consumer = exported.find((each) => each.span.name === 'process auth.session.revoked');
    assert.ok(consumer);
    assert.equal(consumer.span.kind, CONSUMER);
    assert.equal(consumer.span.traceId, callerTrace);
    assert.equal(consumer.span.parentSpanId, inside.spanId, 'a child of the request that wrote the event');
  });
});
