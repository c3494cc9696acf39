/**
 * The game's words that more than one service speaks (shared/DOMAIN.md): a district named by
 * world-service is the district a character lives in and a workshop stands in; a skill a character
 * has is the skill gameplay and economy check; a weapon class is what gameplay models and
 * character-service's items carry. Each service keeps its own numbers; only the names live here.
 */

export const Districts = ['watson', 'westbrook', 'heywood'] as const;
export type District = (typeof Districts)[number];

export const SkillNames = ['ballistics', 'precision', 'engineering', 'hacking'] as const;
export type SkillName = (typeof SkillNames)[number];
export type Skills = Record<SkillName, number>;

export const WeaponClasses = [
  'pistol',
  'smart_pistol',
  'smg',
  'assault',
  'smart_rifle',
  'shotgun',
  'sniper',
  'energy',
] as const;
export type WeaponClass = (typeof WeaponClasses)[number];

/** The weapons of the item catalogue, one example of each class (DOMAIN.md, Combat and ballistics). */
export const WeaponTemplates = {
  pistol_m10: 'pistol',
  smart_pistol_kenshin: 'smart_pistol',
  smg_pulsar: 'smg',
  rifle_ajax: 'assault',
  smart_rifle_sor22: 'smart_rifle',
  shotgun_carnage: 'shotgun',
  sniper_nekomata: 'sniper',
  energy_lexington: 'energy',
} as const satisfies Record<string, WeaponClass>;
export type WeaponTemplateId = keyof typeof WeaponTemplates;
