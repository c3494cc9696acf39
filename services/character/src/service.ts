import {
  type Authenticator,
  idempotencyKeySweeper,
  type ServiceDefinition,
  serviceAuthentication,
} from '@necp/platform';
import { craftingSubscription, Producer } from './events.ts';
import { characterRoutes } from './routes/characters.ts';
import { internalRoutes } from './routes/internal.ts';
import { inventoryRoutes } from './routes/inventory.ts';
import { referenceRoutes } from './routes/reference.ts';

export interface CharacterServiceOptions {
  /** Verifies bearer tokens; the deployment's issuer when absent (tests pass one with their own keys). */
  authenticator?: Authenticator;
}

export function createCharacterService(options: CharacterServiceOptions = {}): ServiceDefinition {
  return {
    name: 'character',
    description: 'NECP character-service: characters of each account and their inventory',
    migrations: new URL('../migrations/', import.meta.url),
    producer: Producer,
    routes(app, context) {
      const db = context.db;
      if (!db) throw new Error('character-service needs its database');
      const platformAuth = serviceAuthentication(app, context);
      const deps = { db, cache: context.cache, auth: options.authenticator ?? platformAuth };
      referenceRoutes(app);
      characterRoutes(app, deps);
      inventoryRoutes(app, deps);
      internalRoutes(app, deps);
    },
    subscriptions(context) {
      if (!context.db) return [];
      return [craftingSubscription(context.db, context.logger)];
    },
    jobs: [idempotencyKeySweeper()],
  };
}

/** character-service: characters of each account and their inventory. */
export const characterService: ServiceDefinition = createCharacterService();
