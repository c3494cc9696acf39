import { writeEvent } from '@necp/platform';
import type { CharacterRecord } from './domain/sheet.ts';
import type { Queryable } from './store/tables.ts';

export const Producer = 'character-service';

export type LifecycleKind = 'created' | 'deleted' | 'restored' | 'updated';

/** `characters.lifecycle`, written in the transaction that made the change. */
export async function writeLifecycle(trx: Queryable, kind: LifecycleKind, character: CharacterRecord): Promise<void> {
  await writeEvent(trx, Producer, {
    topic: 'characters.lifecycle',
    key: character.id,
    payload: {
      kind,
      characterId: character.id,
      accountId: character.accountId,
      origin: character.origin,
      class: character.class,
      district: character.district,
    },
  });
}
