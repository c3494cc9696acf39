/**
 * Active skills with their cooldowns, and Curved Shot's activation. The cooldown lives in the shared
 * cache (combat-state.ts), so a cooldown started through one replica refuses an activation on
 * another; the activation and its cooldown are announced on `combat.abilities.curved` and
 * `player.skills.cooldowns` in one transaction.
 */
import {
  AppError,
  type AuthContext,
  type IdempotencyRequest,
  type IdempotentResult,
  runIdempotentCommand,
  storedIdempotentAnswer,
  uuidv7,
} from '@necp/platform';
import { round2 } from '../domain/arithmetic.ts';
import { ballisticsConfig } from '../domain/ballistics-config.ts';
import { combatSkillModifiers, combatSkills } from '../domain/combat-skills.ts';
import { cooldownEndsAt, cooldownRemainingSeconds } from '../domain/cooldowns.ts';
import { curvedShotEnergyCost, curvedShotMissing } from '../domain/curved-shot.ts';
import { publishCooldown, publishCurvedShot } from '../events.ts';
import type { GameplayTables } from '../store/tables.ts';
import { armedCharacter, combatCharacter } from './character-loadout.ts';
import { claimCooldown, cooldownEnd, releaseCooldown } from './combat-state.ts';
import type { GameplayDeps } from './deps.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/** The combat skills with whether they are unlocked, available now, their cooldown and modifiers. */
export async function activeSkills(deps: GameplayDeps, caller: AuthContext, characterId: string, nowMs = Date.now()) {
  const character = await combatCharacter(deps, caller, characterId);
  const skills = await Promise.all(
    combatSkills(character.skills).map(async (skill) => {
      const endsAt = skill.type === 'active' ? await cooldownEnd(deps.cache, characterId, skill.skillId, nowMs) : null;
      const active = skill.skillId === ballisticsConfig.curvedShot.requiredSkill;
      return {
        ...skill,
        ability: active ? 'curved_shot' : null,
        available: skill.unlocked && endsAt === null,
        cooldownSeconds: active ? ballisticsConfig.curvedShot.cooldownSeconds : 0,
        cooldownEndsAt: endsAt === null ? null : iso(endsAt),
        modifiers: combatSkillModifiers(skill.skillId),
      };
    }),
  );
  return { characterId: character.characterId, skills };
}

export interface CurvedShotInput {
  characterId: string;
  weaponId: string;
  bendAngle: number;
  targetVector?: { x: number; y: number; z: number } | undefined;
}

export async function activateCurvedShot(
  deps: GameplayDeps,
  caller: AuthContext,
  input: CurvedShotInput,
  idempotency: IdempotencyRequest | undefined,
): Promise<IdempotentResult> {
  const earlier = idempotency && (await storedIdempotentAnswer(deps.database, idempotency));
  if (earlier) return earlier;
  const { character, weapon, loadout } = await armedCharacter(deps, caller, input.characterId, input.weaponId);
  const missing = curvedShotMissing(loadout);
  if (missing.length > 0) {
    throw new AppError('PREREQUISITES_MISSING', `Curved Shot needs: ${missing.map((m) => m.id).join(', ')}`, {
      extensions: { missing },
    });
  }
  const skillId = ballisticsConfig.curvedShot.requiredSkill;
  const cooldownSeconds = ballisticsConfig.curvedShot.cooldownSeconds;
  const nowMs = Date.now();
  const durationMs = cooldownEndsAt({ nowMs, timeScale: deps.timeScale }, cooldownSeconds) - nowMs;
  let claimedAt: number | null = null;
  try {
    return await runIdempotentCommand<GameplayTables>(deps.database, idempotency, async (trx) => {
      // A transaction run again (a deadlock victim) keeps the cooldown its first run claimed.
      if (claimedAt === null) {
        const claim = await claimCooldown(deps.cache, character.characterId, skillId, durationMs, nowMs);
        if (!claim.claimed) {
          throw new AppError('ON_COOLDOWN', 'Curved Shot is cooling down', {
            extensions: { cooldownEndsAt: iso(claim.endsAtMs) },
            headers: { 'retry-after': String(Math.max(1, cooldownRemainingSeconds(claim.endsAtMs, nowMs))) },
          });
        }
        claimedAt = claim.endsAtMs;
      }
      const cooldownEnds = iso(claimedAt);
      await publishCurvedShot(trx, {
        characterId: character.characterId,
        weaponId: weapon.itemId,
        bendAngle: input.bendAngle,
        cooldownEndsAt: cooldownEnds,
      });
      await publishCooldown(trx, { characterId: character.characterId, skillId, cooldownEndsAt: cooldownEnds });
      return {
        status: 201,
        body: {
          activationId: uuidv7(),
          characterId: character.characterId,
          weaponId: weapon.itemId,
          bendAngle: input.bendAngle,
          energyCost: round2(curvedShotEnergyCost(input.bendAngle)),
          cooldownSeconds,
          cooldownEndsAt: cooldownEnds,
        },
      };
    });
  } catch (error) {
    // The activation did not commit: its cooldown must not run.
    if (claimedAt !== null) await releaseCooldown(deps.cache, character.characterId, skillId);
    throw error;
  }
}
