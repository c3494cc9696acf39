/**
 * The Kafka bus under a trickle of events, on a real broker: a subscription fetches once per
 * linger and commits once per interval, not once per event, and what it handled is committed by
 * the time it stopped. The requests are counted from the client's diagnostics channel.
 */
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Admin } from '@platformatic/kafka';
import type { BusRecord } from '../../src/events/bus.ts';
import { realKafkaBrokers } from '../../src/testing.ts';
import { brokers, freshName, freshTopic, newKafkaBus, testEnvelope, waitFor } from './fixtures/kafka-helpers.ts';

// A real-phase file: without the broker it fails loudly rather than skipping.
assert.ok(realKafkaBrokers, 'these tests need KAFKA_BROKERS (scripts/infra.sh up)');

/** Kafka API keys of the requests counted. */
const FETCH = 1;
const OFFSET_COMMIT = 8;
const REQUESTS = 'tracing:plt:kafka:connections:api:start';

function countRequests() {
  const counts = new Map<number, number>();
  const onRequest = (message: unknown) => {
    const { apiKey } = message as { apiKey?: number };
    if (apiKey !== undefined) counts.set(apiKey, (counts.get(apiKey) ?? 0) + 1);
  };
  subscribe(REQUESTS, onRequest);
  return {
    of: (apiKey: number) => counts.get(apiKey) ?? 0,
    stop: () => unsubscribe(REQUESTS, onRequest),
  };
}

function record(topic: string, index: number): BusRecord {
  const envelope = testEnvelope(topic, `key-${index % 7}`, { index });
  return { topic, key: envelope.key, envelope, headers: { id: envelope.eventId } };
}

async function committedTotal(group: string, topic: string): Promise<bigint> {
  const admin = new Admin({ clientId: 'necp-test-offsets', bootstrapBrokers: brokers });
  try {
    const [offsets] = await admin.listConsumerGroupOffsets({ groups: [group] });
    const partitions = offsets?.topics.find((each) => each.name === topic)?.partitions ?? [];
    return partitions.reduce((sum, partition) => sum + partition.committedOffset, 0n);
  } finally {
    await admin.close();
  }
}

describe('a Kafka subscription under a trickle of events', () => {
  const LINGER_MS = 40;
  const COMMIT_INTERVAL_MS = 400;
  const EVENTS = 150;
  const bus = newKafkaBus({ fetchLingerMs: LINGER_MS, commitIntervalMs: COMMIT_INTERVAL_MS });
  after(() => bus.close());

  it('fetches once per linger and commits once per interval, and has committed everything it handled once stopped', async () => {
    const topic = await freshTopic(bus, 'paced');
    const group = freshName('paced');
    const handled = new Set<string>();
    await bus.subscribe({
      group,
      topics: [topic],
      handle: async (each) => {
        handled.add(each.envelope.eventId);
      },
    });
    const requests = countRequests();
    try {
      const started = performance.now();
      // One event every few milliseconds, each acknowledged before the next: a fetch per event
      // if the consumer fetched again as soon as one returned.
      for (let index = 0; index < EVENTS; index++) {
        await bus.publish([record(topic, index)]);
        await sleep(3);
      }
      await waitFor('every event handled', async () => handled.size === EVENTS, 30_000);
      const elapsedMs = performance.now() - started;
      const fetches = requests.of(FETCH);
      const commits = requests.of(OFFSET_COMMIT);
      // Between two fetches at least the linger; a commit flush is at most two requests.
      assert.ok(fetches <= elapsedMs / LINGER_MS + 5, `${fetches} fetches in ${Math.round(elapsedMs)} ms`);
      assert.ok(fetches < EVENTS / 3, `${fetches} fetches for ${EVENTS} events`);
      assert.ok(
        commits <= 2 * (elapsedMs / COMMIT_INTERVAL_MS + 2),
        `${commits} commits in ${Math.round(elapsedMs)} ms`,
      );
      // Idle, the consumer waits at the broker (up to maxFetchWaitMs, 1 s) instead of polling per linger.
      const idleFrom = requests.of(FETCH);
      await sleep(1_500);
      assert.ok(requests.of(FETCH) - idleFrom <= 4, `${requests.of(FETCH) - idleFrom} fetches in 1.5 s idle`);
    } finally {
      requests.stop();
    }
    await bus.close();
    // Stopping committed the last handled offset of every partition: nothing is delivered again.
    assert.equal(await committedTotal(group, topic), BigInt(EVENTS));
  });
});
