/**
 * Combat skills (trajectory_sculptor, tactical_bounce) are perks, not sheet skills: a level in a sheet
 * skill (SkillNames) unlocks each, so they follow the character's skills without being stored.
 */
import type { Skills } from '@necp/contracts';
import { type BallisticsRules, ballisticsConfig } from './ballistics-config.ts';
import { type CombatSkillId, CombatSkillIds } from './names.ts';

export function combatSkillUnlocked(
  id: CombatSkillId,
  skills: Partial<Skills>,
  rules: BallisticsRules = ballisticsConfig,
): boolean {
  const unlock = rules.combatSkills[id];
  return (skills[unlock.skill] ?? 0) >= unlock.level;
}

export interface CombatSkillState {
  skillId: CombatSkillId;
  type: 'active' | 'passive';
  unlocked: boolean;
  requires: { skill: keyof Skills; level: number; actual: number };
}

/** Every combat skill with whether the skills unlock it and what it needs (the active-skills view). */
export function combatSkills(skills: Partial<Skills>, rules: BallisticsRules = ballisticsConfig): CombatSkillState[] {
  return CombatSkillIds.map((skillId) => {
    const unlock = rules.combatSkills[skillId];
    const actual = skills[unlock.skill] ?? 0;
    return {
      skillId,
      type: unlock.type,
      unlocked: actual >= unlock.level,
      requires: { skill: unlock.skill, level: unlock.level, actual },
    };
  });
}

/** What a combat skill changes, in the configuration's numbers (the active-skills view's modifiers). */
export function combatSkillModifiers(
  id: CombatSkillId,
  rules: BallisticsRules = ballisticsConfig,
): Record<string, number> {
  if (id === 'trajectory_sculptor') {
    const curved = rules.curvedShot;
    return {
      damageMultiplier: curved.damageMultiplier,
      statusChanceBonus: curved.statusChanceBonus,
      maxBendAngle: curved.maxBendAngle,
      energyBase: curved.energyBase,
      energyBendDivisor: curved.energyBendDivisor,
      cooldownSeconds: curved.cooldownSeconds,
    };
  }
  const smart = rules.smartRicochet;
  return { maxBounces: smart.tacticalBounceMaxBounces, lossPerBounce: smart.tacticalBounceLossPerBounce };
}
