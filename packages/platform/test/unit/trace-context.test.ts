import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  currentTrace,
  formatTraceparent,
  newSpanId,
  newTraceId,
  parseTraceparent,
  runWithTrace,
} from '../../src/trace-context.ts';
import { SpanKind, startWorkSpan } from '../../src/tracing.ts';

describe('W3C trace context', () => {
  it('continues a valid traceparent with a new span (no tracing exporter set)', () => {
    const parent = parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    assert.deepEqual(parent, { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' });
    const trace = startWorkSpan('GET /x', SpanKind.SERVER, parent).context;
    assert.equal(trace.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(trace.parentSpanId, '00f067aa0ba902b7');
    assert.notEqual(trace.spanId, '00f067aa0ba902b7');
    assert.match(formatTraceparent(trace), /^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
  });

  for (const header of [
    undefined,
    'garbage',
    '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
  ]) {
    it(`starts a new trace for ${JSON.stringify(header)}`, () => {
      assert.equal(parseTraceparent(header), undefined);
      const trace = startWorkSpan('GET /x', SpanKind.SERVER, parseTraceparent(header)).context;
      assert.match(trace.traceId, /^[0-9a-f]{32}$/);
      assert.notEqual(trace.traceId, '0'.repeat(32));
      assert.equal(trace.parentSpanId, undefined);
    });
  }

  it('never repeats an id across pool refills', () => {
    const ids = new Set(Array.from({ length: 2000 }, () => newSpanId()));
    assert.equal(ids.size, 2000);
    for (const id of ids) assert.match(id, /^[0-9a-f]{16}$/);
  });

  it('is visible to async work started inside it and only there', async () => {
    const trace = { traceId: newTraceId(), spanId: newSpanId() };
    const seen = await runWithTrace(trace, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return currentTrace()?.traceId;
    });
    assert.equal(seen, trace.traceId);
    assert.equal(currentTrace(), undefined);
  });
});
