import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../src/logger.ts';
import { newSpanId, newTraceId, runWithTrace } from '../../src/trace-context.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  return { lines, stream: { write: (line: string) => void lines.push(JSON.parse(line)) } };
}

describe('JSON logging', () => {
  it('writes one JSON object per line with level, time, service and message', () => {
    const { lines, stream } = capture();
    createLogger('economy', 'info', stream).info({ orderId: 'o-1' }, 'escrow locked');
    assert.equal(lines.length, 1);
    const [line] = lines;
    assert.equal(line?.service, 'economy');
    assert.equal(line?.level, 'info');
    assert.equal(line?.message, 'escrow locked');
    assert.equal(line?.orderId, 'o-1');
    assert.match(String(line?.time), /^\d{4}-\d{2}-\d{2}T/);
    assert.equal('traceId' in (line ?? {}), false, 'no trace outside a request');
  });

  it('adds the trace id, span id and account of the work in progress', () => {
    const { lines, stream } = capture();
    const logger = createLogger('economy', 'info', stream);
    const trace = { traceId: newTraceId(), spanId: newSpanId(), accountId: 'acc-7' };
    runWithTrace(trace, () => logger.warn('inside'));
    assert.equal(lines[0]?.traceId, trace.traceId);
    assert.equal(lines[0]?.spanId, trace.spanId);
    assert.equal(lines[0]?.accountId, 'acc-7');
  });

  it('drops lines under its level', () => {
    const { lines, stream } = capture();
    createLogger('economy', 'warn', stream).info('quiet');
    assert.equal(lines.length, 0);
  });
});
