import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import { currentTrace } from './trace-context.ts';

export type { Logger } from 'pino';

/** JSON lines with the service name and, inside a request or event, its trace id. */
export function createLogger(service: string, level: string, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service },
    messageKey: 'message',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin() {
      const trace = currentTrace();
      if (!trace) return {};
      return trace.accountId
        ? { traceId: trace.traceId, spanId: trace.spanId, accountId: trace.accountId }
        : { traceId: trace.traceId, spanId: trace.spanId };
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
