/**
 * A Kafka subscription's batches on a real broker: the partitions free when a fetch arrives go to
 * its batch handler together (one transaction, not one per partition), each partition still in
 * offset order; `oneBatchAtATime` keeps every batch of the subscription apart; and what was
 * handled is committed for every partition by the time the bus stopped.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Admin } from '@platformatic/kafka';
import type { BusRecord, Subscription } from '../../src/events/bus.ts';
import { realKafkaBrokers } from '../../src/testing.ts';
import { brokers, freshName, freshTopic, newKafkaBus, testEnvelope, waitFor } from './fixtures/kafka-helpers.ts';

// A real-phase file: without the broker it fails loudly rather than skipping.
assert.ok(realKafkaBrokers, 'these tests need KAFKA_BROKERS (scripts/infra.sh up)');

const KEYS = 7;

function record(topic: string, index: number): BusRecord {
  const envelope = testEnvelope(topic, `key-${index % KEYS}`, { index });
  return { topic, key: envelope.key, envelope, headers: { id: envelope.eventId } };
}

const indexOf = (each: BusRecord) => (each.envelope.payload as { index: number }).index;

/** The committed offsets of a group on a topic, per partition. */
async function committed(group: string, topic: string): Promise<bigint[]> {
  const admin = new Admin({ clientId: 'necp-test-offsets', bootstrapBrokers: brokers });
  try {
    const [offsets] = await admin.listConsumerGroupOffsets({ groups: [group] });
    const partitions = offsets?.topics.find((each) => each.name === topic)?.partitions ?? [];
    return partitions.map((partition) => partition.committedOffset);
  } finally {
    await admin.close();
  }
}

/** A subscription with a batch handler that records its batches and how many ran at once. */
function recording(group: string, topic: string, options: { delayMs: number; oneBatchAtATime?: boolean }) {
  const batches: number[][] = [];
  let running = 0;
  let mostRunning = 0;
  const handleBatch = async (records: BusRecord[]) => {
    running++;
    mostRunning = Math.max(mostRunning, running);
    await sleep(options.delayMs);
    batches.push(records.map(indexOf));
    running--;
  };
  const subscription: Subscription = {
    group,
    topics: [topic],
    handle: (each) => handleBatch([each]),
    handleBatch,
    ...(options.oneBatchAtATime ? { oneBatchAtATime: true } : {}),
  };
  return { subscription, batches, mostRunning: () => mostRunning };
}

/** Each key's events were handled in the order they were published. */
function assertOrderPerKey(batches: number[][], events: number): void {
  const handled = batches.flat();
  assert.deepEqual(
    [...handled].sort((a, b) => a - b),
    Array.from({ length: events }, (_, index) => index),
    'every event once',
  );
  for (let key = 0; key < KEYS; key++) {
    const ofKey = handled.filter((index) => index % KEYS === key);
    assert.deepEqual(
      ofKey,
      [...ofKey].sort((a, b) => a - b),
      `key-${key} in order`,
    );
  }
}

describe('a Kafka subscription batches across its partitions', () => {
  const bus = newKafkaBus();
  after(() => bus.close());

  it('hands the partitions one fetch brought to its batch handler in one batch, and commits each', async () => {
    const producer = newKafkaBus();
    const topic = await freshTopic(producer, 'merged');
    const EVENTS = 60;
    // Published before the group first starts (from the earliest offset): the first fetch brings
    // every partition's messages at once.
    await producer.publish(Array.from({ length: EVENTS }, (_, index) => record(topic, index)));
    await producer.close();
    const group = freshName('merged');
    const { subscription, batches } = recording(group, topic, { delayMs: 1 });
    const consumer = newKafkaBus();
    await consumer.subscribe(subscription);
    await waitFor('every event handled', async () => batches.flat().length >= EVENTS, 30_000);
    await consumer.close();
    assert.equal(batches.length, 1, `one batch for three partitions, not one each: ${batches.length}`);
    assertOrderPerKey(batches, EVENTS);
    const offsets = await committed(group, topic);
    assert.equal(offsets.length, 3);
    assert.ok(
      offsets.every((offset) => offset > 0n),
      `every partition committed: ${offsets}`,
    );
    assert.equal(
      offsets.reduce((sum, offset) => sum + offset, 0n),
      BigInt(EVENTS),
    );
  });

  it('with oneBatchAtATime runs one batch at a time across its partitions, in order per key', async () => {
    const topic = await freshTopic(bus, 'serial');
    const group = freshName('serial');
    const EVENTS = 120;
    const { subscription, batches, mostRunning } = recording(group, topic, { delayMs: 25, oneBatchAtATime: true });
    const consumer = newKafkaBus();
    await consumer.subscribe(subscription);
    // A steady stream over every partition while batches are in the handler.
    for (let index = 0; index < EVENTS; index += 6) {
      await bus.publish(Array.from({ length: 6 }, (_, offset) => record(topic, index + offset)));
      await sleep(5);
    }
    await waitFor('every event handled', async () => batches.flat().length >= EVENTS, 30_000);
    await consumer.close();
    assert.equal(mostRunning(), 1, 'never two batches of the subscription at once');
    assertOrderPerKey(batches, EVENTS);
    assert.equal(
      (await committed(group, topic)).reduce((sum, offset) => sum + offset, 0n),
      BigInt(EVENTS),
      'everything handled is committed once stopped',
    );
  });
});
