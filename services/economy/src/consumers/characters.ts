import { idempotentConsumer, type Subscription } from '@necp/platform';
import { recordCharacterEvent } from '../flows/characters.ts';
import type { EconomyDeps } from '../flows/deps.ts';
import type { EconomyTables } from '../store/tables.ts';

/** `characters.lifecycle`: the ownership projection and, on `created`, the starting kit. */
export function characterLifecycleConsumer(deps: EconomyDeps): Subscription {
  return idempotentConsumer<EconomyTables, 'characters.lifecycle'>(
    deps.database,
    'economy.characters',
    ['characters.lifecycle'],
    (trx, event) => recordCharacterEvent(trx, event.payload),
  );
}
