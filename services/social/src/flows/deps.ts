import type { CharacterAccess, SqlDatabase } from '@necp/platform';
import type { Logger } from 'pino';
import type { SocialSettings } from '../settings.ts';
import type { SocialDb } from '../store/tables.ts';
import type { CharacterFacts } from './character-facts.ts';
import type { EscrowClient } from './escrow-client.ts';

/** What social's composition root (service.ts `build`) makes once and its entry points share. */
export interface SocialDeps {
  /** The database as the platform takes it (idempotent commands, consumers, schedules). */
  database: SqlDatabase;
  db: SocialDb;
  /** Who owns a character (character-service, cached). */
  characters: CharacterAccess;
  /** A character's owner and faction (character-service's internal loadout). */
  facts: CharacterFacts;
  escrow: EscrowClient;
  settings: SocialSettings;
  /** Game time per wall time (TIME_SCALE): the auto-complete wait shrinks with it. */
  timeScale: number;
  logger: Logger;
}
