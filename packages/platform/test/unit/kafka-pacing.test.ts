import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { CoalescedCommits, type CommittableMessage } from '../../src/events/kafka-commits.ts';
import { FEW_MESSAGES, FetchPacing } from '../../src/events/kafka-fetch-pacing.ts';

const nextTick = () => new Promise<void>((resolve) => process.nextTick(resolve));

function committer(intervalMs: number, fail: (label: string) => boolean = () => false) {
  const committed: string[] = [];
  const failures: string[] = [];
  const message = (partition: number, offset: number): CommittableMessage => {
    const label = `${partition}@${offset}`;
    return {
      topic: 't',
      partition,
      offset: BigInt(offset),
      commit: async () => {
        if (fail(label)) throw new Error(`refused ${label}`);
        committed.push(label);
      },
    };
  };
  const commits = new CoalescedCommits<CommittableMessage>(intervalMs, (m) =>
    failures.push(`${m.partition}@${m.offset}`),
  );
  return { commits, message, committed, failures };
}

describe('CoalescedCommits', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  it('commits only the last handled offset of each partition, once per interval', async () => {
    const { commits, message, committed } = committer(200);
    for (const offset of [1, 2, 3]) commits.handled(message(0, offset));
    commits.handled(message(1, 7));
    // An older offset handed late does not move the partition's position back.
    commits.handled(message(0, 2));
    mock.timers.tick(199);
    await nextTick();
    assert.deepEqual(committed, []);
    mock.timers.tick(1);
    await commits.settle();
    assert.deepEqual(committed.sort(), ['0@3', '1@7']);
    commits.handled(message(0, 4));
    mock.timers.tick(200);
    await commits.settle();
    assert.deepEqual(committed.sort(), ['0@3', '0@4', '1@7']);
  });

  it('forgets the partitions a rebalance took away, and commits the rest at stop without waiting', async () => {
    const { commits, message, committed } = committer(60_000);
    commits.handled(message(0, 5));
    commits.handled(message(1, 9));
    commits.retain(new Set(['t:1']));
    await commits.settle();
    assert.deepEqual(committed, ['1@9']);
  });

  it('reports a refused commit and keeps committing the other partitions', async () => {
    const { commits, message, committed, failures } = committer(200, (label) => label === '0@1');
    commits.handled(message(0, 1));
    commits.handled(message(1, 1));
    await commits.settle();
    assert.deepEqual(committed, ['1@1']);
    assert.deepEqual(failures, ['0@1']);
  });

  it('with an interval of 0 commits every handled batch at once', async () => {
    const { commits, message, committed } = committer(0);
    commits.handled(message(0, 1));
    commits.handled(message(0, 2));
    await nextTick();
    assert.deepEqual(committed, ['0@1', '0@2']);
  });
});

function paced(lingerMs: number) {
  const calls: string[] = [];
  const pacing = new FetchPacing(lingerMs);
  const source = (name: string) => ({
    pause: () => calls.push(`${name} pause`),
    resume: () => calls.push(`${name} resume`),
  });
  pacing.attach(source('a'));
  return { pacing, calls, source };
}

describe('FetchPacing', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  it("holds the next fetch for the linger once a fetch's messages are through, once per linger", async () => {
    const { pacing, calls } = paced(15);
    pacing.received();
    pacing.received();
    // The rest of the fetch's messages are still pushed in this tick: nothing is paused yet.
    assert.deepEqual(calls, []);
    await nextTick();
    assert.deepEqual(calls, ['a pause']);
    pacing.received();
    mock.timers.tick(14);
    assert.deepEqual(calls, ['a pause']);
    mock.timers.tick(1);
    assert.deepEqual(calls, ['a pause', 'a resume']);
  });

  it('lingers longer while fetches bring few messages, up to the bound, and shorter once they bring many', async () => {
    const calls: string[] = [];
    const pacing = new FetchPacing(15, 60);
    pacing.attach({ pause: () => calls.push('pause'), resume: () => calls.push('resume') });
    const fetch = async (messages: number, lingerMs: number) => {
      for (let index = 0; index < messages; index++) pacing.received();
      await nextTick();
      mock.timers.tick(lingerMs - 1);
      assert.equal(calls.at(-1), 'pause', `held for ${lingerMs} ms`);
      mock.timers.tick(1);
      assert.equal(calls.at(-1), 'resume', `resumed after ${lingerMs} ms`);
    };
    await fetch(1, 15);
    await fetch(1, 30);
    await fetch(FEW_MESSAGES - 1, 60);
    await fetch(1, 60);
    await fetch(FEW_MESSAGES, 60);
    await fetch(FEW_MESSAGES * 10, 30);
    await fetch(FEW_MESSAGES * 10, 15);
    assert.equal(pacing.lingerMs, 15);
  });

  it('resumes only once neither the back-pressure nor the linger holds the stream', async () => {
    const { pacing, calls } = paced(15);
    pacing.received();
    await nextTick();
    pacing.pressure(true);
    mock.timers.tick(15);
    assert.deepEqual(calls, ['a pause']);
    pacing.pressure(false);
    assert.deepEqual(calls, ['a pause', 'a resume']);
  });

  it('with a linger of 0 fetches at once; a restarted stream takes the current back-pressure', async () => {
    const { pacing, calls, source } = paced(0);
    pacing.received();
    await nextTick();
    assert.deepEqual(calls, []);
    pacing.pressure(true);
    pacing.attach(source('b'));
    assert.deepEqual(calls, ['a pause', 'b pause']);
  });
});
