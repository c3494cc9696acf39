/**
 * Every number of the combat model, in one place a designer can change without touching logic
 * (shared/DOMAIN.md, Combat and ballistics: each default below is the one written there unless its
 * comment says "chosen here"). Functions take this object as their last argument, defaulting to it, so a
 * test or a tuning run can pass another. Bump `RulesetVersion` with every change: it is stored with each
 * simulation, and a replay under another ruleset says so instead of differing silently.
 */
import type { SkillName, WeaponClass } from '@necp/contracts';
import type { AmmoType, ArmorTier, CombatSkillId, ImplantId, ModId, ModSlot, StatusEffect, Surface } from './names.ts';

export const RulesetVersion = 'ballistics-1';

export interface WeaponClassRule {
  /** Torso damage of one projectile. */
  baseDamage: number;
  /** Projectiles per shot (the shotgun's 8 pellets); each deals `baseDamage`. */
  pellets: number;
  optimalMin: number;
  optimalMax: number;
  /** Damage lost per `falloffInterval` metres, as a fraction (0.02 = 2%). */
  falloffRate: number;
  falloffInterval: number;
  /** `beyond`: falloff past optimalMax; `closer`: falloff below optimalMin (the sniper's inverse falloff). */
  falloffSide: 'beyond' | 'closer';
  curvedShot: boolean;
}

export interface AmmoRule {
  damageMultiplier: number;
  /** Share of the armor's reduction that still applies (armor-piercing: 0.5, it halves it). */
  armorReductionShare: number;
  /** The multiplier applies against unarmored targets only (expansive); else ×1. */
  onlyAgainstNoArmor: boolean;
  enablesSmartRicochet: boolean;
  status: { effect: StatusEffect; chance: number } | null;
}

export interface ModRule {
  slot: ModSlot;
  /** Mk tier; `modRules.tierRequirements` names the skill a tier needs. */
  tier: 1 | 2;
  damageMultiplier: number;
  hitChanceBonus: number;
  /** A smart scope: enables smart assist and (with ricochet rounds) Smart Ricochet. */
  smart: boolean;
  /** Added to hit probability on shots that ricochet. */
  ricochetHitBonus: number;
}

export interface ImplantRule {
  /** Multiplies the hit-probability penalty per metre outside the optimal range (the deviation cone). */
  coneFactor: number;
  hitChanceBonus: number;
}

export interface BallisticsRules {
  version: string;
  weaponClasses: Record<WeaponClass, WeaponClassRule>;
  distanceMultiplier: { min: number; max: number };
  /** Torso damage multiplier by armor tier. */
  armor: Record<ArmorTier, number>;
  ammo: Record<AmmoType, AmmoRule>;
  hit: {
    /** Hit probability at the optimal range. */
    base: number;
    penaltyPerMeterOutside: number;
    min: number;
    max: number;
    /** Smart assist requested with a smart scope installed. */
    smartAssistBonus: number;
  };
  implants: Record<ImplantId, ImplantRule>;
  mods: Record<ModId, ModRule>;
  modRules: {
    /** Classes on which no scope may be installed. */
    noScopeClasses: readonly WeaponClass[];
    /** The only classes a smart scope may be installed on. */
    smartScopeClasses: readonly WeaponClass[];
    tierRequirements: Partial<Record<1 | 2, { skill: SkillName; level: number }>>;
    /** Mods `simulate` suggests for an empty slot, best first; the first one allowed is named. */
    suggestions: Record<ModSlot, readonly ModId[]>;
  };
  smartRicochet: {
    maxBounces: number;
    tacticalBounceMaxBounces: number;
    /** Damage lost per bounce, compounding: bounce n deals (1 − loss)^n. */
    lossPerBounce: number;
    tacticalBounceLossPerBounce: number;
    reflectiveSurfaces: readonly Surface[];
  };
  naturalRicochet: {
    surfaces: readonly Surface[];
    /** The angle must be strictly above this, in degrees. */
    minAngleExclusive: number;
    chance: number;
    /** Bounces a natural ricochet makes (one), bounce n at damageMultiplier^n. */
    bounces: number;
    damageMultiplier: number;
  };
  curvedShot: {
    maxBendAngle: number;
    damageMultiplier: number;
    /** Percentage points added to the shot's status chance. */
    statusChanceBonus: number;
    /** The status a Curved Shot applies when the ammo carries none (chosen here: design-sources lists stun). */
    statusEffect: StatusEffect;
    energyBase: number;
    /** Energy cost = energyBase + bend / energyBendDivisor. */
    energyBendDivisor: number;
    cooldownSeconds: number;
    /** Curved Shot's prerequisites: this implant, this mod on the weapon, this combat skill. */
    requiredImplant: ImplantId;
    requiredMod: ModId;
    requiredSkill: CombatSkillId;
  };
  /** A chain of at least `bounces` bounces cuts a running Curved Shot cooldown by `seconds`. */
  ricochetCooldownCut: { bounces: number; seconds: number };
  combatSkills: Record<CombatSkillId, { type: 'active' | 'passive'; skill: SkillName; level: number }>;
  /** Accepted input ranges (chosen here where DOMAIN.md is silent). */
  limits: { maxDistanceMeters: number; maxAngleDegrees: number };
}

const noAmmoEffect = { armorReductionShare: 1, onlyAgainstNoArmor: false, enablesSmartRicochet: false, status: null };
const plainMod = {
  tier: 1,
  damageMultiplier: 1,
  hitChanceBonus: 0,
  smart: false,
  ricochetHitBonus: 0,
} as const;
const plainImplant = { coneFactor: 1, hitChanceBonus: 0 };

export const ballisticsConfig: BallisticsRules = {
  version: RulesetVersion,
  weaponClasses: {
    pistol: {
      baseDamage: 60,
      pellets: 1,
      optimalMin: 0,
      optimalMax: 20,
      falloffRate: 0.02,
      falloffInterval: 5,
      falloffSide: 'beyond',
      curvedShot: false,
    },
    smart_pistol: {
      baseDamage: 55,
      pellets: 1,
      optimalMin: 0,
      optimalMax: 25,
      falloffRate: 0.02,
      falloffInterval: 5,
      falloffSide: 'beyond',
      curvedShot: true,
    },
    smg: {
      baseDamage: 55,
      pellets: 1,
      optimalMin: 0,
      optimalMax: 25,
      falloffRate: 0.04,
      falloffInterval: 5,
      falloffSide: 'beyond',
      curvedShot: false,
    },
    assault: {
      baseDamage: 70,
      pellets: 1,
      optimalMin: 15,
      optimalMax: 60,
      falloffRate: 0.03,
      falloffInterval: 10,
      falloffSide: 'beyond',
      curvedShot: false,
    },
    smart_rifle: {
      baseDamage: 65,
      pellets: 1,
      optimalMin: 15,
      optimalMax: 60,
      falloffRate: 0.03,
      falloffInterval: 10,
      falloffSide: 'beyond',
      curvedShot: true,
    },
    shotgun: {
      baseDamage: 35,
      pellets: 8,
      optimalMin: 0,
      optimalMax: 10,
      falloffRate: 0.1,
      falloffInterval: 5,
      falloffSide: 'beyond',
      curvedShot: false,
    },
    sniper: {
      baseDamage: 140,
      pellets: 1,
      optimalMin: 50,
      optimalMax: 200,
      falloffRate: 0.05,
      falloffInterval: 10,
      falloffSide: 'closer',
      curvedShot: false,
    },
    energy: {
      baseDamage: 75,
      pellets: 1,
      optimalMin: 20,
      optimalMax: 80,
      falloffRate: 0.01,
      falloffInterval: 10,
      falloffSide: 'beyond',
      curvedShot: true,
    },
  },
  distanceMultiplier: { min: 0.1, max: 1 },
  armor: { none: 1, kevlar_t1: 0.85, kevlar_t2: 0.75, kevlar_t3: 0.65 },
  ammo: {
    standard: { ...noAmmoEffect, damageMultiplier: 1 },
    armor_piercing: { ...noAmmoEffect, damageMultiplier: 1, armorReductionShare: 0.5 },
    expansive: { ...noAmmoEffect, damageMultiplier: 1.15, onlyAgainstNoArmor: true },
    ricochet_rounds: { ...noAmmoEffect, damageMultiplier: 0.95, enablesSmartRicochet: true },
    emp: { ...noAmmoEffect, damageMultiplier: 0.9, status: { effect: 'electro_shock', chance: 0.2 } },
  },
  hit: { base: 0.7, penaltyPerMeterOutside: 0.01, min: 0.05, max: 0.95, smartAssistBonus: 0.1 },
  implants: {
    smart_wrist_tendons: plainImplant,
    gyro_stabilizer_mk3: { ...plainImplant, coneFactor: 0.7 },
    kiroshi_optics: { ...plainImplant, hitChanceBonus: 0.05 },
  },
  mods: {
    barrel_heavy_mk1: { ...plainMod, slot: 'barrel', damageMultiplier: 1.1 },
    barrel_suppressed_mk1: { ...plainMod, slot: 'barrel', damageMultiplier: 0.95 },
    scope_smart_mk1: { ...plainMod, slot: 'scope', smart: true },
    scope_smart_mk2: { ...plainMod, slot: 'scope', tier: 2, smart: true, ricochetHitBonus: 0.1 },
    scope_thermal: { ...plainMod, slot: 'scope' },
    stock_stabilizer: { ...plainMod, slot: 'stock', hitChanceBonus: 0.03 },
    chip_targeting: { ...plainMod, slot: 'chip', hitChanceBonus: 0.05 },
    neuro_gyro_coupler: { ...plainMod, slot: 'chip' },
    mag_extended: { ...plainMod, slot: 'magazine' },
  },
  modRules: {
    noScopeClasses: ['shotgun'],
    smartScopeClasses: ['smart_pistol', 'smart_rifle', 'energy'],
    tierRequirements: { 2: { skill: 'engineering', level: 40 } },
    suggestions: {
      barrel: ['barrel_heavy_mk1'],
      scope: ['scope_smart_mk2', 'scope_smart_mk1'],
      stock: ['stock_stabilizer'],
      chip: ['chip_targeting'],
      magazine: [],
    },
  },
  smartRicochet: {
    maxBounces: 2,
    tacticalBounceMaxBounces: 3,
    lossPerBounce: 0.15,
    tacticalBounceLossPerBounce: 0.05,
    reflectiveSurfaces: ['metal', 'concrete', 'glass'],
  },
  naturalRicochet: {
    surfaces: ['metal', 'concrete'],
    minAngleExclusive: 35,
    chance: 0.25,
    bounces: 1,
    damageMultiplier: 0.4,
  },
  curvedShot: {
    maxBendAngle: 30,
    damageMultiplier: 0.9,
    statusChanceBonus: 0.25,
    statusEffect: 'stun',
    energyBase: 10,
    energyBendDivisor: 3,
    cooldownSeconds: 15,
    requiredImplant: 'smart_wrist_tendons',
    requiredMod: 'neuro_gyro_coupler',
    requiredSkill: 'trajectory_sculptor',
  },
  ricochetCooldownCut: { bounces: 2, seconds: 5 },
  combatSkills: {
    trajectory_sculptor: { type: 'active', skill: 'precision', level: 40 },
    // Chosen here: DOMAIN.md names the skill (Precision branch) but not its threshold.
    tactical_bounce: { type: 'passive', skill: 'precision', level: 60 },
  },
  limits: { maxDistanceMeters: 1000, maxAngleDegrees: 90 },
};
