import type { TopicPayload } from '@necp/contracts';
import { startingKitLegs } from '../domain/wallets.ts';
import { recordCharacter } from '../store/characters.ts';
import type { Trx } from '../store/tables.ts';
import { move } from './movement.ts';

/**
 * Keeps economy's projection of a character (who owns it, whether it is deleted) and grants a new
 * character its starting kit. The kit's client refs name the character, so a re-emitted `created`
 * (new eventId) grants nothing twice.
 */
export async function recordCharacterEvent(trx: Trx, event: TopicPayload<'characters.lifecycle'>): Promise<void> {
  await recordCharacter(trx, event);
  if (event.kind === 'created') await move(trx, startingKitLegs(event.characterId, event.origin));
}
