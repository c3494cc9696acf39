import { AsyncLocalStorage } from 'node:async_hooks';
import { randomHex } from './random-hex.ts';

/** W3C trace context of the work in progress (a request, a consumed event, a job). */
export interface TraceContext {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  accountId?: string;
}

const storage = new AsyncLocalStorage<TraceContext>();
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

export function newTraceId(): string {
  return randomHex(16);
}

export function newSpanId(): string {
  return randomHex(8);
}

/** The caller's trace and span from a valid `traceparent` header; undefined for a missing or bad one. */
export function parseTraceparent(traceparent: string | undefined): { traceId: string; spanId: string } | undefined {
  const match = traceparent ? TRACEPARENT.exec(traceparent) : null;
  if (match?.[1] && match[2] && !/^0+$/.test(match[1]) && !/^0+$/.test(match[2])) {
    return { traceId: match[1], spanId: match[2] };
  }
  return undefined;
}

export function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.spanId}-01`;
}

export function currentTrace(): TraceContext | undefined {
  return storage.getStore();
}

export function runWithTrace<T>(context: TraceContext, work: () => T): T {
  return storage.run(context, work);
}
