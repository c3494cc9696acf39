import type { IncomingMessage, ServerResponse } from 'node:http';

/** Skill levels by name, as character-service's skills endpoint answers them. */
export type SkillLevels = Partial<Record<string, number>>;

/**
 * character-service's internal endpoints (`/internal/v1/characters/...`, role `service`) as the
 * test fills them, so a service's ownership checks and skill lookups run their real HTTP path.
 */
export interface FakeCharacterService {
  /** Characters that exist: id → owning account. Absent: 404, as for a deleted character. */
  remoteOwners: Map<string, string>;
  /** What the skills endpoint answers for a character; absent → 404. */
  remoteSkills: Map<string, SkillLevels>;
  /**
   * The full answer of `GET /internal/v1/characters/:id` (the combat loadout) for characters that
   * need more than their owner; `characterId` and `accountId` come from `remoteOwners` when absent.
   */
  remoteLoadouts: Map<string, Record<string, unknown>>;
  /** Requests that reached `GET /internal/v1/characters/:id`. */
  readonly ownerLookups: number;
  /** Requests that reached `GET /internal/v1/characters/:id/skills`. */
  readonly skillLookups: number;
  /**
   * While true, character-service is down: its endpoints drop the connection without an answer
   * (the issuer's endpoints stay up, as auth-service would).
   */
  characterServiceDown: boolean;
}

export const InternalCharactersPrefix = '/internal/v1/characters/';

const characterPath = /^\/internal\/v1\/characters\/([0-9a-fA-F-]{36})(\/skills)?$/;

interface Answer {
  status: number;
  body: unknown;
}

function problem(status: number, code: string): Answer {
  return { status, body: { status, code } };
}

/** The state a test fills, and the handler that answers requests under the internal prefix. */
export function createFakeCharacterService(): FakeCharacterService & {
  handle(request: IncomingMessage, response: ServerResponse): void;
} {
  const counts = { owner: 0, skills: 0 };
  const answer = (request: IncomingMessage): Answer => {
    // The real endpoints want a service token; the issuer's signature is the verifier tests' concern.
    if (request.headers.authorization === undefined) return problem(401, 'UNAUTHENTICATED');
    const [, characterId, skills] = characterPath.exec(request.url ?? '') ?? [];
    if (request.method !== 'GET' || characterId === undefined) return problem(404, 'NOT_FOUND');
    if (skills) {
      counts.skills += 1;
      const levels = fake.remoteSkills.get(characterId);
      return levels ? { status: 200, body: { characterId, skills: levels } } : problem(404, 'NOT_FOUND');
    }
    counts.owner += 1;
    const accountId = fake.remoteOwners.get(characterId);
    const loadout = fake.remoteLoadouts.get(characterId);
    if (!accountId && !loadout) return problem(404, 'NOT_FOUND');
    return { status: 200, body: { characterId, accountId, ...loadout } };
  };
  const fake = {
    remoteOwners: new Map<string, string>(),
    remoteSkills: new Map<string, SkillLevels>(),
    remoteLoadouts: new Map<string, Record<string, unknown>>(),
    get ownerLookups() {
      return counts.owner;
    },
    get skillLookups() {
      return counts.skills;
    },
    characterServiceDown: false,
    handle(request: IncomingMessage, response: ServerResponse): void {
      if (fake.characterServiceDown) {
        request.socket.destroy();
        return;
      }
      const { status, body } = answer(request);
      response.statusCode = status;
      response.setHeader('content-type', status < 400 ? 'application/json' : 'application/problem+json');
      response.end(JSON.stringify(body));
    },
  };
  return fake;
}
