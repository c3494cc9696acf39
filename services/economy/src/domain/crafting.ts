/**
 * Crafting rules and numbers (shared/DOMAIN.md, Economy): blueprints, workshops, the progress clock
 * and the refund rule. Pure: the store supplies time and state.
 */
import type { Material } from './catalogue.ts';

export type Skill = 'engineering' | 'ballistics' | 'precision' | 'hacking';

export interface Blueprint {
  id: string;
  inputs: Partial<Record<Material, number>>;
  output: { templateId: string; quantity: number };
  durationSeconds: number;
  requires: { skill: Skill; level: number } | null;
  /** Where it can be made; the design documents name no restriction, so every workshop. */
  workshops: readonly string[];
}

export type WorkshopStatus = 'online' | 'offline' | 'maintenance';

export interface WorkshopSpec {
  id: string;
  district: string;
  capacity: number;
}

export const workshopSpecs: readonly WorkshopSpec[] = [
  { id: 'street_garage', district: 'watson', capacity: 2 },
  { id: 'corpo_lab', district: 'westbrook', capacity: 4 },
  { id: 'bunker_forge', district: 'heywood', capacity: 1 },
];
const everywhere = workshopSpecs.map((workshop) => workshop.id);

export const blueprints: readonly Blueprint[] = [
  {
    id: 'smart_scope_mk1',
    inputs: { electronics: 2, glass: 1 },
    output: { templateId: 'scope_smart_mk1', quantity: 1 },
    durationSeconds: 120,
    requires: { skill: 'engineering', level: 10 },
    workshops: everywhere,
  },
  {
    id: 'ricochet_rounds',
    inputs: { chemicals: 1, metal: 2 },
    output: { templateId: 'ricochet_rounds', quantity: 10 },
    durationSeconds: 60,
    requires: null,
    workshops: everywhere,
  },
  {
    id: 'gyro_stabilizer',
    inputs: { metal: 3, mechanics: 1 },
    output: { templateId: 'stock_stabilizer', quantity: 1 },
    durationSeconds: 180,
    requires: { skill: 'engineering', level: 10 },
    workshops: everywhere,
  },
  {
    id: 'smart_scope_mk2',
    inputs: { rare_circuit: 2, optical_lens: 1, micro_servo: 1 },
    output: { templateId: 'scope_smart_mk2', quantity: 1 },
    durationSeconds: 240,
    requires: { skill: 'engineering', level: 40 },
    workshops: everywhere,
  },
  {
    id: 'neuro_gyro_coupler',
    inputs: { electronics: 3, micro_servo: 2 },
    output: { templateId: 'neuro_gyro_coupler', quantity: 1 },
    durationSeconds: 300,
    requires: { skill: 'engineering', level: 25 },
    workshops: everywhere,
  },
];

export const craftingRules = {
  maxActiveJobsPerCharacter: 3,
  maxQuantity: 10,
  /** A workshop in a district at these unrest tiers works slower (market stress). */
  stressedTiers: ['crisis', 'cataclysm'] as readonly string[],
  stressDurationMultiplier: 1.1,
  /** Progress events are emitted each time a job crosses another step of this many percent. */
  progressStepPercent: 25,
};

/** Whether a district at this unrest tier (none known: null) stresses its workshops' market. */
export function isStressed(tier: string | null): boolean {
  return tier !== null && craftingRules.stressedTiers.includes(tier);
}

export type JobStatus = 'queued' | 'processing' | 'paused' | 'completed' | 'failed' | 'cancelled';
export const activeStatuses: readonly JobStatus[] = ['queued', 'processing', 'paused'];
/** Paused jobs stay on the bench: they keep their workshop slot. */
export const slotStatuses: readonly JobStatus[] = ['processing', 'paused'];

export function findBlueprint(id: string): Blueprint | undefined {
  return blueprints.find((blueprint) => blueprint.id === id);
}

export function findWorkshopSpec(id: string): WorkshopSpec | undefined {
  return workshopSpecs.find((workshop) => workshop.id === id);
}

export function requiredMaterials(blueprint: Blueprint, quantity: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(blueprint.inputs).map(([asset, amount]) => [asset, (amount ?? 0) * quantity]),
  );
}

export function missingMaterials(
  required: Record<string, number>,
  available: Record<string, number>,
): { asset: string; required: number; available: number }[] {
  return Object.entries(required)
    .filter(([asset, amount]) => (available[asset] ?? 0) < amount)
    .map(([asset, amount]) => ({ asset, required: amount, available: available[asset] ?? 0 }));
}

/**
 * What the blueprint's skill asks beyond `skills`, the character's current skills (character-service
 * answers them for each check; see `remoteSkills`), or undefined when nothing is missing.
 */
export function skillShortfall(
  blueprint: Blueprint,
  skills: Partial<Record<Skill, number>>,
): { skill: Skill; required: number; actual: number } | undefined {
  if (!blueprint.requires) return undefined;
  const actual = skills[blueprint.requires.skill] ?? 0;
  return actual >= blueprint.requires.level
    ? undefined
    : { skill: blueprint.requires.skill, required: blueprint.requires.level, actual };
}

/** Game seconds the whole job takes. */
export function jobDurationSeconds(
  blueprint: Blueprint,
  quantity: number,
  stressed: boolean,
  rules = craftingRules,
): number {
  const base = blueprint.durationSeconds * quantity;
  // Rounded first so 360 × 1.1 is 396, not 397 from floating-point noise.
  return Math.ceil(Math.round((stressed ? base * rules.stressDurationMultiplier : base) * 1e6) / 1e6);
}

export interface JobClock {
  status: JobStatus;
  durationSeconds: number;
  /** Game seconds done before the current run (pauses bank them here). */
  progressSeconds: number;
  /** Wall-clock start of the current run, when processing. */
  startedAt: Date | null;
  timeScale: number;
}

/** Fraction done in [0, 1]: game time = wall time × TIME_SCALE. */
export function progressOf(job: JobClock, now: Date): number {
  if (job.status === 'completed') return 1;
  let done = job.progressSeconds;
  if (job.status === 'processing' && job.startedAt) {
    done += (Math.max(0, now.getTime() - job.startedAt.getTime()) / 1000) * job.timeScale;
  }
  return Math.min(1, done / job.durationSeconds);
}

/** When a run started at `startedAt` finishes the job. */
export function dueAt(job: Omit<JobClock, 'status' | 'startedAt'>, startedAt: Date): Date {
  const remainingGameSeconds = Math.max(0, job.durationSeconds - job.progressSeconds);
  return new Date(startedAt.getTime() + (remainingGameSeconds / job.timeScale) * 1000);
}

/** Cancel: everything back while queued; `floor(amount × (1 − progress))` back once work started. */
export function cancelRefund(materials: Record<string, number>, status: JobStatus, progress: number) {
  return Object.fromEntries(
    Object.entries(materials).map(([asset, amount]) => {
      const refund = status === 'queued' ? amount : Math.floor(amount * (1 - progress));
      return [asset, { refund, consumed: amount - refund }];
    }),
  ) as Record<string, { refund: number; consumed: number }>;
}

export function percent(progress: number): number {
  return Math.floor(progress * 1000) / 10;
}
