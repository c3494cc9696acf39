import {
  trace as otelTrace,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Tracer,
} from '@opentelemetry/api';
import type { TracerProvider } from '@opentelemetry/sdk-trace';
import { newSpanId, newTraceId, type TraceContext } from './trace-context.ts';

export { SpanKind };

/**
 * OpenTelemetry spans for the work the platform's trace context follows (HTTP requests, consumed
 * events, relay batches), exported over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set. The ids
 * in logs, `traceparent` headers and outbox rows are then the exported spans' own, so a log line
 * leads to its trace in Jaeger or Tempo. Without an endpoint no span is recorded and ids come from
 * the platform's pooled random bytes, as before.
 */
export interface WorkSpan {
  /** The trace context of the work: run it with `runWithTrace`. */
  context: TraceContext;
  end(outcome?: { attributes?: Record<string, string | number | boolean>; error?: unknown }): void;
}

let tracer: Tracer | undefined;
let provider: TracerProvider | undefined;

/** Starts exporting spans to `endpoint` (an OTLP/HTTP base address) as `serviceName`; once per process. */
export async function enableTracing(endpoint: string, serviceName: string): Promise<void> {
  if (provider) return;
  // The SDK and its exporter are loaded only by a process that exports spans.
  const [{ OTLPTraceExporter }, { resourceFromAttributes }, { BatchSpanProcessor, TracerProvider }] = await Promise.all(
    [
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/sdk-trace'),
    ],
  );
  if (provider) return;
  provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces` }),
        scheduledDelayMillis: 1_000,
      }),
    ],
  });
  tracer = provider.getTracer('@necp/platform');
}

/** Exports what is pending and stops recording (process shutdown, tests). */
export async function disableTracing(): Promise<void> {
  const current = provider;
  provider = undefined;
  tracer = undefined;
  await current?.shutdown();
}

function ended(span: Span): WorkSpan['end'] {
  return (outcome = {}) => {
    if (outcome.attributes) span.setAttributes(outcome.attributes);
    if (outcome.error !== undefined) {
      const error = outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error));
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    }
    span.end();
  };
}

/**
 * A span for a piece of work: a child of `parent` (a remote caller's or producer's context) or the
 * root of a new trace.
 */
export function startWorkSpan(
  name: string,
  kind: SpanKind,
  parent: { traceId: string; spanId: string } | undefined,
  attributes: Record<string, string | number | boolean> = {},
): WorkSpan {
  if (!tracer) {
    return {
      context: parent
        ? { traceId: parent.traceId, spanId: newSpanId(), parentSpanId: parent.spanId }
        : { traceId: newTraceId(), spanId: newSpanId() },
      end: () => undefined,
    };
  }
  const parentContext = parent
    ? otelTrace.setSpanContext(ROOT_CONTEXT, {
        traceId: parent.traceId,
        spanId: parent.spanId,
        traceFlags: TraceFlags.SAMPLED,
        isRemote: true,
      })
    : ROOT_CONTEXT;
  const span = tracer.startSpan(name, { kind, attributes }, parentContext);
  const { traceId, spanId } = span.spanContext();
  return {
    context: parent ? { traceId, spanId, parentSpanId: parent.spanId } : { traceId, spanId },
    end: ended(span),
  };
}
