/**
 * One shot (or a series) through the whole model: the loadout and the request's fields (API.md §4 names)
 * in, hit probability, expected damage with its breakdown, ricochet path, status effects, cooldown,
 * suggestions and warnings out. Deterministic for a seed: each shot draws exactly three numbers, in this
 * order: the hit roll, the ricochet roll, the status roll, whether a rule uses them or not, so enabling
 * one rule never shifts another's roll. Reported numbers are rounded (probabilities and multipliers to 4
 * decimals, damage and energy to 2); the arithmetic behind them is + − × ÷ only.
 */
import { round2, round4 } from './arithmetic.ts';
import { type BallisticsRules, ballisticsConfig } from './ballistics-config.ts';
import { combatSkillUnlocked } from './combat-skills.ts';
import { bendAngleAllowed, curvedShotEnergyCost, curvedShotMissing } from './curved-shot.ts';
import {
  ammoMultiplier,
  armorMultiplier,
  type DamageFactors,
  damagePerHit,
  expectedDamage,
  modsDamageMultiplier,
} from './damage.ts';
import { distanceMultiplier } from './distance.ts';
import { hitBreakdown, rollHits } from './hit-chance.ts';
import { modsValid, validateMods } from './mods.ts';
import { type AmmoType, AmmoTypes, type ArmorTier, ArmorTiers, type Loadout, type Surface, Surfaces } from './names.ts';
import { createRandom, isSeed, type RandomSource } from './random.ts';
import { hasSmartScope, type RicochetStep, ricochetPath } from './ricochet.ts';
import { rollStatus, type StatusOutcome, statusChance } from './status-effects.ts';
import { type SuggestedMod, suggestMods } from './suggestions.ts';

export interface ShotRequest {
  ammoType: AmmoType;
  distanceMeters: number;
  angleDegrees: number;
  targetArmor: ArmorTier;
  environmentMaterial: Surface;
  flags: { curvedShot: boolean; smartAssist: boolean };
  /** Curved Shot's bend, 0–30°; 0 when absent. */
  bendAngle?: number;
  /** Unsigned 32-bit integer; the flow picks one when the caller does not. */
  seed: number;
}

export interface Warning {
  code: string;
  message: string;
}

export interface ShotResult {
  rulesetVersion: string;
  seed: number;
  hitProbability: number;
  expectedDamage: number;
  damageBreakdown: DamageFactors & {
    damagePerHit: number;
    directDamage: number;
    ricochetDamage: number;
  };
  hitBreakdown: ReturnType<typeof hitBreakdown>;
  ricochetPath: RicochetStep[];
  statusEffects: StatusOutcome[];
  curvedShotUsed: boolean;
  cooldownSeconds: number;
  energyCost: number;
  /** This seed's outcome (the event's `hit` and `damageDealt`). */
  hit: boolean;
  damageDealt: number;
  suggestedMods: SuggestedMod[];
  warnings: Warning[];
}

export interface Problem {
  path: string;
  message: string;
}

/** What is wrong with a request before the model runs (a route's 400); empty when it may run. */
export function shotRequestProblems(request: ShotRequest, rules: BallisticsRules = ballisticsConfig): Problem[] {
  const problems: Problem[] = [];
  if (!AmmoTypes.includes(request.ammoType)) problems.push({ path: 'ammoType', message: 'unknown ammo type' });
  if (!ArmorTiers.includes(request.targetArmor)) problems.push({ path: 'targetArmor', message: 'unknown armor' });
  if (!Surfaces.includes(request.environmentMaterial)) {
    problems.push({ path: 'environmentMaterial', message: 'unknown surface' });
  }
  if (!inRange(request.distanceMeters, rules.limits.maxDistanceMeters)) {
    problems.push({ path: 'distanceMeters', message: `must be within 0–${rules.limits.maxDistanceMeters}` });
  }
  if (!inRange(request.angleDegrees, rules.limits.maxAngleDegrees)) {
    problems.push({ path: 'angleDegrees', message: `must be within 0–${rules.limits.maxAngleDegrees}` });
  }
  if (request.bendAngle !== undefined && !bendAngleAllowed(request.bendAngle, rules)) {
    problems.push({ path: 'bendAngle', message: `must be within 0–${rules.curvedShot.maxBendAngle}` });
  }
  if (!isSeed(request.seed)) problems.push({ path: 'seed', message: 'must be an unsigned 32-bit integer' });
  return problems;
}

function inRange(value: unknown, max: number): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= max;
}

export function simulateShot(
  loadout: Loadout,
  request: ShotRequest,
  rules: BallisticsRules = ballisticsConfig,
): ShotResult {
  return shotFrom(loadout, request, checkedRandom(request, rules), rules);
}

/** `shots` shots in a row from one seed's stream: shot k uses draws 3k, 3k+1, 3k+2. */
export function simulateSeries(
  loadout: Loadout,
  request: ShotRequest,
  shots: number,
  rules: BallisticsRules = ballisticsConfig,
): { shots: ShotResult[]; hits: number; damageDealt: number; expectedDamage: number } {
  if (!Number.isInteger(shots) || shots < 1) throw new RangeError('shots must be a positive integer');
  const random = checkedRandom(request, rules);
  const results: ShotResult[] = [];
  let hits = 0;
  let damageDealt = 0;
  let expected = 0;
  for (let i = 0; i < shots; i += 1) {
    const result = shotFrom(loadout, request, random, rules);
    results.push(result);
    if (result.hit) hits += 1;
    damageDealt += result.damageDealt;
    expected += result.expectedDamage;
  }
  return { shots: results, hits, damageDealt: round2(damageDealt), expectedDamage: round2(expected) };
}

function checkedRandom(request: ShotRequest, rules: BallisticsRules): RandomSource {
  const problems = shotRequestProblems(request, rules);
  if (problems.length > 0) {
    throw new RangeError(`invalid shot: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`);
  }
  return createRandom(request.seed);
}

function shotFrom(loadout: Loadout, request: ShotRequest, random: RandomSource, rules: BallisticsRules): ShotResult {
  const hitRoll = random.next();
  const ricochetRoll = random.next();
  const statusRoll = random.next();
  const warnings: Warning[] = [];
  const { ammoType, targetArmor, flags } = request;
  const weapon = rules.weaponClasses[loadout.weaponClass];

  const missing = flags.curvedShot ? curvedShotMissing(loadout, rules) : [];
  const curvedShotUsed = flags.curvedShot && missing.length === 0;
  if (missing.length > 0) {
    const names = missing.map((m) => m.id).join(', ');
    warnings.push({ code: 'CURVED_SHOT_PREREQUISITES_MISSING', message: `fired straight; missing: ${names}` });
  }
  if (!flags.curvedShot && request.bendAngle !== undefined && request.bendAngle !== 0) {
    warnings.push({ code: 'BEND_WITHOUT_CURVED_SHOT', message: 'bendAngle counts only with flags.curvedShot' });
  }
  const smartScope = hasSmartScope(loadout.mods, rules);
  if (flags.smartAssist && !smartScope) {
    warnings.push({ code: 'SMART_ASSIST_WITHOUT_SMART_SCOPE', message: 'smart assist needs a smart scope' });
  }
  if (rules.ammo[ammoType].enablesSmartRicochet && !smartScope) {
    warnings.push({
      code: 'NATURAL_RICOCHET_ONLY',
      message: 'Smart Ricochet needs a smart scope; natural rules apply',
    });
  }
  if (rules.ammo[ammoType].onlyAgainstNoArmor && targetArmor !== 'none') {
    warnings.push({ code: 'AMMO_BONUS_LOST', message: `${ammoType} gains nothing against armor` });
  }
  if (!modsValid(loadout.weaponClass, loadout.mods, loadout.skills, rules)) {
    for (const conflict of validateMods(loadout.weaponClass, loadout.mods, loadout.skills, rules).conflicts) {
      warnings.push({ code: 'MOD_CONFLICT', message: `${conflict.slot}: ${conflict.message}` });
    }
  }

  const ricochet = ricochetPath(
    {
      ammo: ammoType,
      mods: loadout.mods,
      surface: request.environmentMaterial,
      angleDegrees: request.angleDegrees,
      tacticalBounce: combatSkillUnlocked('tactical_bounce', loadout.skills, rules),
    },
    ricochetRoll,
    rules,
  );
  const hitParts = hitBreakdown(
    {
      weaponClass: loadout.weaponClass,
      distanceMeters: request.distanceMeters,
      mods: loadout.mods,
      implants: loadout.implants,
      smartAssist: flags.smartAssist,
      ricochets: ricochet.path.length > 0,
    },
    rules,
  );
  const factors = {
    baseDamage: weapon.baseDamage,
    pellets: weapon.pellets,
    distanceMultiplier: distanceMultiplier(loadout.weaponClass, request.distanceMeters, rules),
    armorMultiplier: armorMultiplier(targetArmor, ammoType, rules),
    ammoMultiplier: ammoMultiplier(ammoType, targetArmor, rules),
    modsMultiplier: modsDamageMultiplier(loadout.mods, rules),
    curvedShotMultiplier: curvedShotUsed ? rules.curvedShot.damageMultiplier : 1,
  };
  const perHit = damagePerHit(factors);
  const expected = expectedDamage(hitParts.hitProbability, perHit, ricochet.path);
  const hit = rollHits(hitParts.hitProbability, hitRoll);
  const dealt = hit ? expectedDamage(1, perHit, ricochet.path).total : 0;

  return {
    rulesetVersion: rules.version,
    seed: request.seed,
    hitProbability: round4(hitParts.hitProbability),
    expectedDamage: round2(expected.total),
    damageBreakdown: {
      baseDamage: factors.baseDamage,
      pellets: factors.pellets,
      distanceMultiplier: round4(factors.distanceMultiplier),
      armorMultiplier: round4(factors.armorMultiplier),
      ammoMultiplier: round4(factors.ammoMultiplier),
      modsMultiplier: round4(factors.modsMultiplier),
      curvedShotMultiplier: factors.curvedShotMultiplier,
      damagePerHit: round2(perHit),
      directDamage: round2(expected.directDamage),
      ricochetDamage: round2(expected.ricochetDamage),
    },
    hitBreakdown: {
      base: hitParts.base,
      metersOutsideOptimal: round4(hitParts.metersOutsideOptimal),
      coneFactor: round4(hitParts.coneFactor),
      distancePenalty: round4(hitParts.distancePenalty),
      smartAssistBonus: round4(hitParts.smartAssistBonus),
      modsBonus: round4(hitParts.modsBonus),
      implantsBonus: round4(hitParts.implantsBonus),
      ricochetBonus: round4(hitParts.ricochetBonus),
      unclamped: round4(hitParts.unclamped),
      hitProbability: round4(hitParts.hitProbability),
    },
    ricochetPath: roundedPath(ricochet.path),
    statusEffects: roundedStatus(rollStatus(statusChance(ammoType, curvedShotUsed, rules), hit, statusRoll)),
    curvedShotUsed,
    cooldownSeconds: curvedShotUsed ? rules.curvedShot.cooldownSeconds : 0,
    energyCost: curvedShotUsed ? round2(curvedShotEnergyCost(request.bendAngle ?? 0, rules)) : 0,
    hit,
    damageDealt: round2(dealt),
    suggestedMods: suggestMods(loadout, request, rules),
    warnings,
  };
}

/** The path as reported (multipliers to 4 decimals); a loop, not `map` with a closure, on the hot path. */
function roundedPath(path: readonly RicochetStep[]): RicochetStep[] {
  const rounded: RicochetStep[] = [];
  for (const step of path) rounded.push({ surface: step.surface, damageMultiplier: round4(step.damageMultiplier) });
  return rounded;
}

function roundedStatus(outcomes: readonly StatusOutcome[]): StatusOutcome[] {
  const rounded: StatusOutcome[] = [];
  for (const outcome of outcomes) {
    rounded.push({ effect: outcome.effect, chance: round4(outcome.chance), applied: outcome.applied });
  }
  return rounded;
}
