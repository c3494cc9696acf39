import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deadLetterTopic } from '@necp/contracts';
import {
  deadLetterHeaders,
  fromKafkaMessage,
  jsonbText,
  missingTopics,
  parseBrokers,
  toKafkaMessage,
  topicsWithDeadLetters,
} from '../../src/events/kafka-records.ts';

const envelope = {
  eventId: '6f1c2a8e-1b7e-4f7e-9d55-0a1b2c3d4e5f',
  type: 'world.scenarios',
  occurredAt: '2026-05-01T10:00:00.000Z',
  producer: 'world',
  traceId: '0123456789abcdef0123456789abcdef',
  key: 'district-7',
  payload: { scenarioId: 'x', districtId: 'district-7', kind: 'riot', status: 'started' },
};

describe('jsonbText renders JSON the way PostgreSQL prints jsonb', () => {
  it('puts a space after colons and commas, nowhere else', () => {
    assert.equal(
      jsonbText({ a: 1, b: [1, 2.5, 'x'], c: { d: null, e: true } }),
      '{"a": 1, "b": [1, 2.5, "x"], "c": {"d": null, "e": true}}',
    );
    assert.equal(jsonbText([]), '[]');
    assert.equal(jsonbText({}), '{}');
  });

  it('escapes strings like JSON and drops undefined members', () => {
    assert.equal(
      jsonbText({ s: 'quote " and \\ and \n and é', u: undefined }),
      '{"s": "quote \\" and \\\\ and \\n and é"}',
    );
  });

  it('prints numbers without exponent, as numeric does', () => {
    assert.equal(jsonbText(1e-7), '0.0000001');
    assert.equal(jsonbText(1e21), '1000000000000000000000');
    assert.equal(jsonbText(-12.25), '-12.25');
  });

  it('is the same JSON document as JSON.stringify', () => {
    assert.deepEqual(JSON.parse(jsonbText(envelope)), envelope);
  });
});

describe('Kafka messages of bus records', () => {
  it('sends the envelope as the value, its key as the key, the record headers as headers', () => {
    const message = toKafkaMessage({
      topic: 'world.scenarios',
      key: 'district-7',
      envelope,
      headers: { id: envelope.eventId, traceparent: '00-0123456789abcdef0123456789abcdef-0123456789abcdef-01' },
    });
    assert.equal(message.topic, 'world.scenarios');
    assert.equal(message.key, 'district-7');
    assert.equal(message.value, jsonbText(envelope));
    assert.equal(message.headers.id, envelope.eventId);
  });

  it('sends the bytes a record carries as they are, without rendering its envelope again', () => {
    // The relay's record carries the outbox payload as PostgreSQL printed it; spacing that
    // jsonbText would not produce shows that those bytes, not a rendering, are sent.
    const text = `{"eventId":   "${envelope.eventId}"}`;
    const message = toKafkaMessage({ topic: 'world.scenarios', key: 'district-7', envelope, text, headers: {} });
    assert.equal(message.value, text);
  });

  it('reads them back into the same record, with the bytes it came as', () => {
    const value = jsonbText(envelope);
    const decoded = fromKafkaMessage({
      topic: 'world.scenarios',
      key: 'district-7',
      value,
      headers: new Map([['id', envelope.eventId]]),
    });
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.record, {
      topic: 'world.scenarios',
      key: 'district-7',
      envelope,
      text: value,
      headers: { id: envelope.eventId },
    });
  });

  it('refuses values that are not a JSON object', () => {
    for (const value of [undefined, 'not json {', '[1]', '"text"', 'null']) {
      const decoded = fromKafkaMessage({ topic: 't', key: 'k', value, headers: new Map() });
      assert.equal(decoded.ok, false, String(value));
    }
  });

  it('labels a dead letter with the error, the group and the attempts, keeping the original headers', () => {
    assert.deepEqual(deadLetterHeaders({ id: 'e1', traceparent: 'tp' }, new Error('boom'), 'economy.orders', 5), {
      id: 'e1',
      traceparent: 'tp',
      error: 'boom',
      'consumer-group': 'economy.orders',
      attempts: '5',
    });
  });
});

describe('topics and brokers', () => {
  it('adds a dead-letter topic to every topic, once', () => {
    assert.deepEqual(topicsWithDeadLetters(['a', 'b', 'a'], deadLetterTopic), ['a', 'a.dlq', 'b', 'b.dlq']);
  });

  it('finds the topics to create', () => {
    assert.deepEqual(missingTopics(['a', 'a.dlq', 'b'], ['a', '__consumer_offsets']), ['a.dlq', 'b']);
  });

  it('parses a broker list', () => {
    assert.deepEqual(parseBrokers('k1:9092, k2:9092,'), ['k1:9092', 'k2:9092']);
  });
});

describe('Kafka configuration', () => {
  it('defaults to 3 partitions, replication factor 1, no client id, a 15 ms fetch linger growing to 60 ms and 1 s between commits', async () => {
    const { loadPlatformConfig } = await import('../../src/config.ts');
    const config = loadPlatformConfig({ KAFKA_BROKERS: 'k1:9092' });
    assert.equal(config.KAFKA_PARTITIONS, 3);
    assert.equal(config.KAFKA_REPLICATION_FACTOR, 1);
    assert.equal(config.KAFKA_CLIENT_ID, undefined);
    assert.equal(config.KAFKA_FETCH_LINGER_MS, 15);
    assert.equal(config.KAFKA_FETCH_LINGER_MAX_MS, 60);
    assert.equal(config.KAFKA_COMMIT_INTERVAL_MS, 1_000);
    assert.equal(loadPlatformConfig({ KAFKA_FETCH_LINGER_MS: '0' }).KAFKA_FETCH_LINGER_MS, 0);
  });

  it('names the variable of a wrong value', async () => {
    const { loadPlatformConfig } = await import('../../src/config.ts');
    assert.throws(() => loadPlatformConfig({ KAFKA_PARTITIONS: '0' }), /KAFKA_PARTITIONS/);
    assert.throws(() => loadPlatformConfig({ KAFKA_REPLICATION_FACTOR: 'two' }), /KAFKA_REPLICATION_FACTOR/);
    assert.throws(() => loadPlatformConfig({ KAFKA_CLIENT_ID: 'has space' }), /KAFKA_CLIENT_ID/);
    assert.throws(() => loadPlatformConfig({ KAFKA_FETCH_LINGER_MS: '-1' }), /KAFKA_FETCH_LINGER_MS/);
    assert.throws(() => loadPlatformConfig({ KAFKA_COMMIT_INTERVAL_MS: 'soon' }), /KAFKA_COMMIT_INTERVAL_MS/);
  });
});
