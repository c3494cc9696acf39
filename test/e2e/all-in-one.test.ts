import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { type AllInOne, startAllInOne } from '@necp/all-in-one';
import { freeServicePorts } from '@necp/all-in-one/free-ports';
import { ServiceNames } from '@necp/platform';
import { createFreshDatabase, type FreshDatabase, testConfig } from '@necp/platform/testing';

describe('the whole backend in one process, through the gateway', () => {
  let backend: AllInOne;
  let gateway: string;

  let database: FreshDatabase;

  before(async () => {
    database = await createFreshDatabase();
    const { ports, urls } = await freeServicePorts();
    backend = await startAllInOne(
      testConfig({ ...urls, HOST: '127.0.0.1', ...(database.url ? { DATABASE_URL: database.url } : {}) }),
      ports,
    );
    gateway = `http://127.0.0.1:${backend.portOf('gateway')}`;
  });
  after(async () => {
    await backend.stop();
    await database.drop();
  });

  it('runs every service, each ready', async () => {
    assert.deepEqual(backend.services.map((service) => service.name).sort(), [...ServiceNames].sort());
    for (const service of backend.services) {
      const response = await fetch(`http://127.0.0.1:${service.port}/ready`);
      assert.equal(response.status, 200, `${service.name} is ready`);
    }
  });

  it('reports every service ready at the gateway', async () => {
    const response = await fetch(`${gateway}/api/v1/health`);
    const body = (await response.json()) as { status: string; services: Record<string, { status: string }> };
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.equal(body.status, 'ready');
  });

  it('serves every service OpenAPI document through the gateway docs', async () => {
    for (const service of ServiceNames.filter((name) => name !== 'gateway')) {
      const response = await fetch(`${gateway}/docs/specs/${service}.json`);
      assert.equal(response.status, 200, service);
      const spec = (await response.json()) as { openapi: string; info: { title: string } };
      assert.equal(spec.openapi, '3.1.0');
      assert.equal(spec.info.title, service);
    }
  });

  it('exposes Prometheus metrics with HTTP and outbox figures', async () => {
    const text = await (await fetch(`http://127.0.0.1:${backend.portOf('economy')}/metrics`)).text();
    assert.match(text, /http_requests_total\{/);
    assert.match(text, /outbox_backlog\{service="all-in-one"\} \d+/);
  });

  it('exposes every metric the Grafana dashboard charts (the Kafka ones when Kafka carries the events)', async () => {
    const dashboard = JSON.parse(
      await readFile(new URL('../../deploy/grafana/mvp-backend.json', import.meta.url), 'utf8'),
    ) as { panels: { targets: { expr: string }[] }[] };
    const charted = new Set(
      dashboard.panels
        .flatMap((panel) => panel.targets.map((target) => target.expr))
        .flatMap((expr) => [...expr.matchAll(/([a-z_][a-z0-9_]*)\{/g)].map((match) => match[1] as string))
        .map((name) => name.replace(/_(bucket|sum|count)$/, '')),
    );
    assert.ok(charted.size >= 10, [...charted].join(', '));
    const declared = new Set<string>();
    for (const service of backend.services) {
      const text = await (await fetch(`http://127.0.0.1:${service.port}/metrics`)).text();
      for (const match of text.matchAll(/^# TYPE (\S+) /gm)) declared.add(match[1] as string);
    }
    const kafka = Boolean(process.env.KAFKA_BROKERS);
    for (const name of charted) {
      if (name.startsWith('kafka_') && !kafka) assert.ok(!declared.has(name), `${name} without Kafka`);
      else assert.ok(declared.has(name), `the dashboard charts ${name}, which no service exposes`);
    }
  });
});
