import type { FastifyInstance } from 'fastify';
import { AppError } from '../problem.ts';

/**
 * Only escapes can put these into a JSON text: JSON forbids raw control characters, and invalid
 * UTF-8 decodes to U+FFFD. So a body without such an escape needs no walk.
 */
const SuspectEscape = /\\u(0000|d[89a-f][0-9a-f]{2})/i;

function storable(text: string): boolean {
  return !text.includes('\u0000') && text.isWellFormed();
}

/** Every string and key of a parsed body, walked without recursion (bodies may nest deeply). */
function everyTextStorable(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string') {
      if (!storable(next)) return false;
    } else if (Array.isArray(next)) {
      // One by one: spreading a long array into push() overflows the stack.
      for (const element of next) pending.push(element);
    } else if (next !== null && typeof next === 'object') {
      for (const [key, field] of Object.entries(next)) {
        if (!storable(key)) return false;
        pending.push(field);
      }
    }
  }
  return true;
}

/**
 * JSON bodies as Fastify parses them by default (prototype poisoning refused), and 400 for a body
 * holding text PostgreSQL cannot store: U+0000 (text and jsonb refuse it) or a lone UTF-16
 * surrogate (not Unicode at all). Refused at the door, such input never reaches a query that would
 * fail with a 500.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parseDefault = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    parseDefault(request, text, (error, value) => {
      if (error) return done(error, undefined);
      if (SuspectEscape.test(text) && !everyTextStorable(value)) {
        return done(
          new AppError('VALIDATION_ERROR', 'Text may not contain U+0000 or unpaired UTF-16 surrogates', {
            errors: [{ path: 'body', message: 'must contain only storable Unicode text' }],
          }),
          undefined,
        );
      }
      done(null, value);
    });
  });
}
