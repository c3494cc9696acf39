import type { EventEnvelope } from '@necp/contracts';
import type { BusRecord } from './bus.ts';

/**
 * Renders a JSON value the way PostgreSQL prints a `jsonb` value (`payload::text`): `": "` after
 * keys and `", "` between items. Debezium's outbox router, with the string converter, publishes the
 * outbox `payload` column exactly as PostgreSQL prints it; the built-in relay sends those very bytes
 * (it reads `payload::text`), and a record published without them is rendered by this function, so
 * every path delivers the same bytes, not merely the same JSON.
 */
export function jsonbText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return jsonbNumber(value);
    case 'bigint':
      return value.toString();
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((item) => jsonbText(item)).join(', ')}]`;
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
        return jsonbText((value as { toJSON(): unknown }).toJSON());
      }
      const members: string[] = [];
      for (const [key, member] of Object.entries(value)) {
        // JSON.stringify drops undefined members; so does the jsonb the outbox stores.
        if (member === undefined || typeof member === 'function') continue;
        members.push(`${JSON.stringify(key)}: ${jsonbText(member)}`);
      }
      return `{${members.join(', ')}}`;
    }
    default:
      return 'null';
  }
}

/** jsonb stores numbers as `numeric`, which prints without exponent (1e-7 becomes 0.0000001). */
function jsonbNumber(value: number): string {
  if (!Number.isFinite(value)) return 'null';
  const plain = String(value);
  if (!plain.includes('e')) return plain;
  return value.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 100 });
}

/** What goes on the wire for one bus record: the envelope as the value, the envelope key as the key. */
export interface KafkaOutgoing {
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

export function toKafkaMessage(record: BusRecord): KafkaOutgoing {
  const value = record.text ?? jsonbText(record.envelope);
  return { topic: record.topic, key: record.key, value, headers: record.headers };
}

/** A consumed message as the string deserializers hand it over. */
export interface KafkaIncoming {
  topic: string;
  key: string | undefined;
  value: string | undefined;
  headers: Map<string, string>;
}

export type Decoded = { ok: true; record: BusRecord } | { ok: false; reason: string };

/**
 * Turns a consumed message back into a bus record. Anything that is not a JSON object cannot reach
 * a handler at all; the envelope's own shape is the consumer's to check (idempotentConsumer does).
 */
export function fromKafkaMessage(message: KafkaIncoming): Decoded {
  if (message.value === undefined) return { ok: false, reason: 'message without a value' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(message.value);
  } catch (error) {
    return { ok: false, reason: `value is not JSON: ${(error as Error).message}` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { ok: false, reason: 'value is not a JSON object' };
  }
  const envelope = parsed as EventEnvelope;
  const key = message.key ?? (typeof envelope.key === 'string' ? envelope.key : '');
  return {
    ok: true,
    record: { topic: message.topic, key, envelope, text: message.value, headers: Object.fromEntries(message.headers) },
  };
}

/** The headers a dead letter carries besides the original ones (the same as the in-process bus). */
export function deadLetterHeaders(
  original: Record<string, string>,
  error: unknown,
  group: string,
  attempts: number,
): Record<string, string> {
  return {
    ...original,
    error: error instanceof Error ? error.message : String(error),
    'consumer-group': group,
    attempts: String(attempts),
  };
}

/** Topics the platform creates at start: every catalogue topic and its dead-letter topic. */
export function topicsWithDeadLetters(topics: readonly string[], deadLetterTopic: (topic: string) => string): string[] {
  return [...new Set(topics.flatMap((topic) => [topic, deadLetterTopic(topic)]))];
}

export function missingTopics(wanted: readonly string[], existing: readonly string[]): string[] {
  const present = new Set(existing);
  return wanted.filter((topic) => !present.has(topic));
}

export function parseBrokers(list: string): string[] {
  return list
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
}
