import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type LaneMessage, PartitionLanes, partitionKey } from '../../src/events/kafka-lanes.ts';

const message = (partition: number, offset: number): LaneMessage => ({ topic: 't', partition, offset: BigInt(offset) });
const label = (m: LaneMessage) => `${m.partition}@${m.offset}`;

function lanes(
  options: {
    delayMs?: (m: LaneMessage) => number;
    fail?: (m: LaneMessage) => boolean;
    maxBuffered?: number;
    maxBatch?: number;
    maxConcurrentBatches?: number;
  } = {},
) {
  const log: string[] = [];
  const done: string[] = [];
  const doneParts: string[][] = [];
  const failed: string[] = [];
  const batches: string[][] = [];
  const pressure: boolean[] = [];
  let concurrent = 0;
  let maxConcurrent = 0;
  const subject = new PartitionLanes<LaneMessage>({
    maxBuffered: options.maxBuffered ?? 100,
    ...(options.maxBatch === undefined ? {} : { maxBatch: options.maxBatch }),
    ...(options.maxConcurrentBatches === undefined ? {} : { maxConcurrentBatches: options.maxConcurrentBatches }),
    process: async (batch) => {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      batches.push(batch.map(label));
      for (const m of batch) log.push(`start ${label(m)}`);
      await sleep(Math.max(...batch.map((m) => options.delayMs?.(m) ?? 1)));
      concurrent--;
      if (batch.some((m) => options.fail?.(m))) throw new Error('stopping');
      for (const m of batch) log.push(`end ${label(m)}`);
    },
    done: (batch) => {
      done.push(...batch.map(label));
      doneParts.push(batch.map(label));
    },
    failed: (batch) => failed.push(...batch.map(label)),
    pressure: (paused) => pressure.push(paused),
  });
  return { subject, log, done, doneParts, failed, batches, pressure, maxConcurrent: () => maxConcurrent };
}

describe('PartitionLanes', () => {
  it('handles each partition in offset order, one at a time, partitions side by side', async () => {
    const { subject, done, log, maxConcurrent } = lanes({ delayMs: (m) => (m.partition === 0 ? 5 : 1) });
    for (let offset = 0; offset < 5; offset++) {
      subject.push(message(0, offset));
      subject.push(message(1, offset));
    }
    await subject.idle();
    assert.deepEqual(
      done.filter((d) => d.startsWith('0@')),
      ['0@0', '0@1', '0@2', '0@3', '0@4'],
    );
    assert.deepEqual(
      done.filter((d) => d.startsWith('1@')),
      ['1@0', '1@1', '1@2', '1@3', '1@4'],
    );
    assert.equal(maxConcurrent(), 2);
    for (let i = 0; i < log.length; i++) {
      const entry = log[i] as string;
      if (entry.startsWith('start 0@')) {
        const previous = log.slice(0, i).filter((e) => e.includes(' 0@'));
        assert.ok(previous.length === 0 || previous.at(-1)?.startsWith('end'), 'no overlap within a partition');
      }
    }
  });

  it('skips a message fetched again below what the lane already took', async () => {
    const { subject, done } = lanes();
    subject.push(message(0, 0));
    subject.push(message(0, 1));
    subject.push(message(0, 0));
    subject.push(message(0, 1));
    subject.push(message(0, 2));
    await subject.idle();
    assert.deepEqual(done, ['0@0', '0@1', '0@2']);
  });

  it('pauses the source above maxBuffered and resumes at half', async () => {
    const { subject, pressure } = lanes({ maxBuffered: 4 });
    for (let offset = 0; offset < 4; offset++) subject.push(message(0, offset));
    assert.deepEqual(pressure, [true]);
    assert.equal(subject.buffered, 4);
    await subject.idle();
    assert.deepEqual(pressure, [true, false]);
    assert.equal(subject.buffered, 0);
  });

  it('drops the queues of revoked partitions; their in-flight message finishes but is not reported done', async () => {
    const { subject, done } = lanes({ delayMs: () => 10 });
    for (let offset = 0; offset < 3; offset++) {
      subject.push(message(0, offset));
      subject.push(message(1, offset));
    }
    await sleep(2);
    subject.retain(new Set([partitionKey('t', 1)]));
    await subject.idle();
    assert.deepEqual(done, ['1@0', '1@1', '1@2']);
    // the partition may come back later: its messages are taken again from the committed offset
    subject.push(message(0, 0));
    await subject.idle();
    assert.deepEqual(done.at(-1), '0@0');
  });

  it('drops a lane whose message could not be handled, so nothing after it is reported done', async () => {
    const { subject, done, failed } = lanes({ fail: (m) => m.partition === 0 && m.offset === 1n });
    for (let offset = 0; offset < 4; offset++) subject.push(message(0, offset));
    await subject.idle();
    assert.deepEqual(done, ['0@0']);
    assert.deepEqual(failed, ['0@1']);
    assert.equal(subject.buffered, 0);
  });

  it('dropAll forgets queued messages and idle waits for the in-flight ones', async () => {
    const { subject, done } = lanes({ delayMs: () => 20 });
    for (let offset = 0; offset < 5; offset++) subject.push(message(0, offset));
    await sleep(5);
    subject.dropAll();
    await subject.idle();
    assert.deepEqual(done, []);
    assert.equal(subject.buffered, 0);
  });

  it('hands one message at a time without maxBatch', async () => {
    const { subject, batches } = lanes();
    for (let offset = 0; offset < 4; offset++) subject.push(message(0, offset));
    await subject.idle();
    assert.deepEqual(batches, [['0@0'], ['0@1'], ['0@2'], ['0@3']]);
  });

  it('takes what was pushed in one go and what queued up while its batch ran, up to maxBatch, in offset order, without waiting to fill', async () => {
    const { subject, batches, done } = lanes({ maxBatch: 3, delayMs: () => 5 });
    // one fetch's messages, pushed one after the other: the lane starts once they are all queued
    for (let offset = 0; offset < 5; offset++) subject.push(message(0, offset));
    subject.push(message(1, 0));
    await sleep(1);
    // pushed while the first batch runs
    for (let offset = 5; offset < 8; offset++) subject.push(message(0, offset));
    await subject.idle();
    assert.deepEqual(
      batches.filter((b) => b[0]?.startsWith('0@')),
      [
        ['0@0', '0@1', '0@2'],
        ['0@3', '0@4', '0@5'],
        ['0@6', '0@7'],
      ],
    );
    assert.deepEqual(
      batches.filter((b) => b[0]?.startsWith('1@')),
      [['1@0']],
      'partition 0 filled the first batch: partition 1 got one of its own, side by side',
    );
    assert.deepEqual(
      done.filter((d) => d.startsWith('0@')),
      ['0@0', '0@1', '0@2', '0@3', '0@4', '0@5', '0@6', '0@7'],
    );
    assert.equal(subject.buffered, 0);
  });

  it('counts a batch as buffered until it is handled, for backpressure', async () => {
    const gates: (() => void)[] = [];
    const pressure: boolean[] = [];
    const sizes: number[] = [];
    const subject = new PartitionLanes<LaneMessage>({
      maxBuffered: 6,
      maxBatch: 10,
      process: (batch) => {
        sizes.push(batch.length);
        return new Promise<void>((resolve) => gates.push(resolve));
      },
      done: () => {},
      failed: () => {},
      pressure: (paused) => pressure.push(paused),
    });
    subject.push(message(0, 0));
    await Promise.resolve();
    for (let offset = 1; offset < 6; offset++) subject.push(message(0, offset));
    assert.deepEqual(pressure, [true]);
    gates.shift()?.();
    await sleep(1);
    // the first batch (one message) is done, the second (the five queued behind it) is in its handler
    assert.deepEqual(sizes, [1, 5]);
    assert.equal(subject.buffered, 5);
    assert.deepEqual(pressure, [true], 'still paused while the batch runs');
    gates.shift()?.();
    await subject.idle();
    assert.deepEqual(pressure, [true, false]);
    assert.equal(subject.buffered, 0);
  });

  it('drops the lane of a batch that could not be handled: none of it, and nothing after it, is done', async () => {
    const { subject, done, failed } = lanes({ maxBatch: 3, fail: (m) => m.offset === 2n });
    subject.push(message(0, 0));
    await Promise.resolve();
    for (let offset = 1; offset < 6; offset++) subject.push(message(0, offset));
    await subject.idle();
    assert.deepEqual(done, ['0@0']);
    assert.deepEqual(failed, ['0@1', '0@2', '0@3']);
    assert.equal(subject.buffered, 0);
  });

  it('does not report a batch done whose partition was revoked while it ran', async () => {
    const gates: (() => void)[] = [];
    const done: string[] = [];
    const subject = new PartitionLanes<LaneMessage>({
      maxBuffered: 100,
      maxBatch: 5,
      process: () => new Promise<void>((resolve) => gates.push(resolve)),
      done: (batch) => done.push(...batch.map(label)),
      failed: () => {},
      pressure: () => {},
    });
    subject.push(message(0, 0));
    await Promise.resolve();
    for (let offset = 1; offset < 4; offset++) subject.push(message(0, offset));
    gates.shift()?.();
    await sleep(1);
    assert.deepEqual(done, ['0@0']);
    subject.retain(new Set());
    gates.shift()?.();
    await subject.idle();
    assert.deepEqual(done, ['0@0'], 'the batch of 0@1..0@3 finished after the revocation: not done');
    assert.equal(subject.buffered, 0);
  });

  it('puts the partitions free when a fetch arrives in one batch, and reports each partition done with its own part', async () => {
    const { subject, batches, doneParts, maxConcurrent } = lanes({ maxBatch: 10 });
    for (let offset = 0; offset < 2; offset++) {
      subject.push(message(0, offset));
      subject.push(message(1, offset));
      subject.push(message(2, offset));
    }
    await subject.idle();
    assert.deepEqual(batches, [['0@0', '0@1', '1@0', '1@1', '2@0', '2@1']]);
    assert.deepEqual(doneParts, [
      ['0@0', '0@1'],
      ['1@0', '1@1'],
      ['2@0', '2@1'],
    ]);
    assert.equal(maxConcurrent(), 1);
  });

  it('keeps a busy partition out of the next batch: its messages wait for their predecessors', async () => {
    const { subject, batches, done } = lanes({ maxBatch: 10, delayMs: (m) => (m.partition === 0 ? 20 : 1) });
    subject.push(message(0, 0));
    await Promise.resolve();
    subject.push(message(0, 1));
    subject.push(message(1, 0));
    await subject.idle();
    assert.deepEqual(batches, [['0@0'], ['1@0'], ['0@1']]);
    assert.deepEqual(
      done.filter((d) => d.startsWith('0@')),
      ['0@0', '0@1'],
    );
  });

  it('with maxConcurrentBatches 1, runs one batch at a time across partitions, taking every partition that waited', async () => {
    const { subject, batches, done, maxConcurrent } = lanes({
      maxBatch: 10,
      maxConcurrentBatches: 1,
      delayMs: () => 5,
    });
    subject.push(message(0, 0));
    await Promise.resolve();
    for (let offset = 0; offset < 3; offset++) subject.push(message(1, offset));
    subject.push(message(0, 1));
    subject.push(message(2, 0));
    await subject.idle();
    assert.equal(maxConcurrent(), 1);
    assert.deepEqual(batches, [['0@0'], ['0@1', '1@0', '1@1', '1@2', '2@0']]);
    assert.deepEqual(
      done.filter((d) => d.startsWith('0@')),
      ['0@0', '0@1'],
    );
  });

  it('with a bounded batch and maxConcurrentBatches 1, the partitions left out go first next time', async () => {
    const { subject, batches } = lanes({ maxBatch: 2, maxConcurrentBatches: 1, delayMs: () => 2 });
    for (let offset = 0; offset < 4; offset++) subject.push(message(0, offset));
    subject.push(message(1, 0));
    subject.push(message(2, 0));
    await subject.idle();
    assert.deepEqual(batches, [
      ['0@0', '0@1'],
      ['1@0', '2@0'],
      ['0@2', '0@3'],
    ]);
  });

  it('drops every lane of a merged batch that could not be handled', async () => {
    const { subject, done, failed } = lanes({ maxBatch: 10, fail: (m) => m.partition === 1 });
    subject.push(message(0, 0));
    subject.push(message(1, 0));
    await subject.idle();
    assert.deepEqual(done, []);
    assert.deepEqual(failed, ['0@0', '1@0']);
    assert.equal(subject.buffered, 0);
    // both lanes start again from what Kafka sends them next
    subject.push(message(0, 0));
    await subject.idle();
    assert.deepEqual(done, ['0@0']);
  });
});
