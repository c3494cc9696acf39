import { AppError } from '../problem.ts';
import { isUuid } from '../uuid.ts';

/** A page boundary of keyset pagination on (time, id): the last row's pair. */
export interface KeysetPosition {
  at: Date;
  id: string;
}

/** Opaque to clients: base64url of `[ISO time, id]`. */
export function encodeKeysetCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([position.at.toISOString(), position.id])).toString('base64url');
}

/**
 * The position in a cursor this service issued; anything else is 400 VALIDATION_ERROR, including a
 * well-formed one whose time PostgreSQL cannot take (JavaScript dates reach years PostgreSQL's
 * timestamps do not; an issued cursor always holds a four-digit year).
 */
export function decodeKeysetCursor(cursor: string): KeysetPosition {
  try {
    const [time, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const at = new Date(String(time));
    const year = at.getUTCFullYear();
    if (typeof id === 'string' && isUuid(id) && year >= 1 && year <= 9999) return { at, id };
  } catch {
    // Falls through to the 400 below.
  }
  throw new AppError('VALIDATION_ERROR', 'The cursor is not one this service issued', {
    errors: [{ path: 'querystring/cursor', message: 'is invalid' }],
  });
}
