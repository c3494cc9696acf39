import {
  AppError,
  type AuthContext,
  type Authenticator,
  authOf,
  type HttpApp,
  hasAnyRole,
  type ServiceContext,
  serviceAuthentication,
} from '@necp/platform';
import type { FastifyRequest } from 'fastify';
import { findCharacter } from './store/characters-store.ts';
import type { EconomyDb } from './store/ledger-store.ts';

/** Roles allowed to act on any character's wallet. */
export const Roles = {
  service: 'service',
  admin: 'admin',
  arbiter: 'arbiter',
  operator: 'world.operator',
} as const;

export interface Access {
  authenticate: Authenticator['authenticate'];
  requireRole: Authenticator['requireRole'];
  caller(request: FastifyRequest): AuthContext;
  /**
   * The character must exist (404) and belong to the caller (403 CHARACTER_NOT_OWNED), unless the
   * caller has one of `bypassRoles` (services and operators acting for the game).
   */
  assertCharacter(request: FastifyRequest, characterId: string, bypassRoles?: readonly string[]): Promise<void>;
  /** Whether the caller owns one of `characterIds` (known, not deleted). */
  ownsAny(request: FastifyRequest, characterIds: (string | null)[]): Promise<boolean>;
}

export function createAccess(app: HttpApp, context: ServiceContext, db: EconomyDb): Access {
  const authenticator = serviceAuthentication(app, context);
  return {
    authenticate: authenticator.authenticate,
    requireRole: authenticator.requireRole,
    caller: authOf,
    async assertCharacter(request, characterId, bypassRoles = []) {
      const auth = authOf(request);
      if (hasAnyRole(auth, bypassRoles)) return;
      // Ownership comes from economy's projection of characters.lifecycle (accountId per character).
      const character = await findCharacter(db, characterId);
      if (!character || character.deleted) throw new AppError('NOT_FOUND', `Character ${characterId} not found`);
      if (character.accountId !== auth.accountId) {
        throw new AppError('CHARACTER_NOT_OWNED', `Character ${characterId} does not belong to the caller`);
      }
    },
    async ownsAny(request, characterIds) {
      const auth = authOf(request);
      for (const characterId of characterIds) {
        if (!characterId) continue;
        const character = await findCharacter(db, characterId);
        if (character && !character.deleted && character.accountId === auth.accountId) return true;
      }
      return false;
    },
  };
}
