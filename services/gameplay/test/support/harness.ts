/**
 * The real gameplay-service on a fresh database behind the platform's test issuer, which also stands
 * in for character-service: each fighter's combat loadout is what its internal endpoint answers, and
 * a test changes it (drops a mod, raises a skill) by changing that answer.
 */
import { randomUUID } from 'node:crypto';
import type { TopicPayload } from '@necp/contracts';
import { loadoutChanged } from '@necp/platform';
import {
  type ServiceReplica,
  type ServiceUnderTest,
  startReplica as startServiceReplica,
  startServiceUnderTest,
} from '@necp/platform/testing';
import { gameplayService } from '../../src/service.ts';

export type SkillLevels = Partial<Record<'ballistics' | 'precision' | 'engineering' | 'hacking', number>>;

export interface Gear {
  /** Weapon template ids; the first is equipped in weapon_1, the rest carried. */
  weapons?: string[];
  /** Implant template ids, equipped. */
  implants?: string[];
  /** Mod template ids the character owns (one item each). */
  mods?: string[];
  skills?: SkillLevels;
  district?: string;
}

const WeaponClassOf: Record<string, string> = {
  pistol_m10: 'pistol',
  smart_pistol_kenshin: 'smart_pistol',
  smg_pulsar: 'smg',
  rifle_ajax: 'assault',
  smart_rifle_sor22: 'smart_rifle',
  shotgun_carnage: 'shotgun',
  sniper_nekomata: 'sniper',
  energy_lexington: 'energy',
};

/** The internal endpoint's answer for one character, as character-service shapes it. */
export interface RemoteLoadout {
  characterId: string;
  accountId: string;
  class: string;
  district: string;
  skills: Required<SkillLevels>;
  weapons: { itemId: string; templateId: string; slot: string | null; weaponClass: string; durability: number }[];
  implants: { itemId: string; templateId: string; slot: string }[];
  mods: { itemId: string; templateId: string }[];
  ammo: { itemId: string; templateId: string; quantity: number }[];
}

export interface Fighter {
  accountId: string;
  characterId: string;
  token: string;
  /** Weapon item ids, in the order of `Gear.weapons`. */
  weapons: string[];
  /** Mod item id by template id. */
  mods: Record<string, string>;
  /** What character-service answers for it now: change it to change the character. */
  loadout: RemoteLoadout;
  /**
   * The character loses a mod item (dropped): it leaves the loadout's owned mods at once, and the
   * loadout's version moves, as character-service moves it after a drop.
   */
  drop(modTemplateId: string): Promise<void>;
}

export interface Gameplay extends ServiceUnderTest {
  fighter(gear?: Gear, accountId?: string): Promise<Fighter>;
  /** The payloads gameplay wrote to its outbox on `topic` for `key`, oldest first. */
  events<T extends 'combat.ballistics.events' | 'combat.abilities.curved' | 'player.skills.cooldowns'>(
    topic: T,
    key: string,
  ): Promise<TopicPayload<T>[]>;
}

const ImplantSlots: Record<string, string> = {
  smart_wrist_tendons: 'implant_arms',
  gyro_stabilizer_mk3: 'implant_nervous',
  kiroshi_optics: 'implant_eyes',
};

export async function startGameplay(env: Record<string, string> = {}): Promise<Gameplay> {
  const gameplay = await startServiceUnderTest(gameplayService, { env });
  return Object.assign(Object.create(gameplay) as ServiceUnderTest, {
    async fighter(gear: Gear = {}, accountId = randomUUID()): Promise<Fighter> {
      const characterId = randomUUID();
      const weapons = (gear.weapons ?? ['smart_pistol_kenshin']).map((templateId, index) => ({
        itemId: randomUUID(),
        templateId,
        slot: index === 0 ? 'weapon_1' : null,
        weaponClass: WeaponClassOf[templateId] ?? 'pistol',
        durability: 100,
      }));
      const mods = (gear.mods ?? []).map((templateId) => ({ itemId: randomUUID(), templateId }));
      const loadout: RemoteLoadout = {
        characterId,
        accountId,
        class: 'solo',
        district: gear.district ?? 'watson',
        skills: { ballistics: 30, precision: 20, engineering: 5, hacking: 0, ...gear.skills },
        weapons,
        implants: (gear.implants ?? []).map((templateId) => ({
          itemId: randomUUID(),
          templateId,
          slot: ImplantSlots[templateId] ?? 'implant_arms',
        })),
        mods,
        ammo: [{ itemId: randomUUID(), templateId: 'standard', quantity: 100 }],
      };
      gameplay.issuer.remoteLoadouts.set(characterId, loadout as unknown as Record<string, unknown>);
      return {
        accountId,
        characterId,
        token: await gameplay.token(accountId),
        weapons: weapons.map((weapon) => weapon.itemId),
        mods: Object.fromEntries(mods.map((mod) => [mod.templateId, mod.itemId])),
        loadout,
        drop(modTemplateId) {
          loadout.mods = loadout.mods.filter((mod) => mod.templateId !== modTemplateId);
          return loadoutChanged(gameplay.runtime.cache, characterId);
        },
      };
    },
    async events(topic: string, key: string) {
      const rows = await gameplay.db.kysely
        .selectFrom('mvp_meta.outbox')
        .select(['payload', 'seq'])
        .where('type', '=', topic)
        .where('aggregateid', '=', key)
        .orderBy('seq')
        .execute();
      return rows.map((row) => {
        const envelope = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as {
          payload: unknown;
        };
        return envelope.payload;
      });
    },
  }) as Gameplay;
}

/** A simulate body for a fighter's first weapon; `overrides` replace fields. */
export function shot(fighter: Fighter, overrides: Record<string, unknown> = {}) {
  return {
    characterId: fighter.characterId,
    weaponId: fighter.weapons[0],
    ammoType: 'standard',
    distanceMeters: 10,
    angleDegrees: 10,
    targetArmor: 'none',
    environmentMaterial: 'concrete',
    flags: { curvedShot: false, smartAssist: false },
    seed: 42,
    ...overrides,
  };
}

export const Paths = {
  simulate: '/api/v1/gameplay/combat/ballistics/simulate',
  profile: (templateId: string) => `/api/v1/gameplay/combat/ballistics/profiles/${templateId}`,
  telemetry: (combatId: string) => `/api/v1/gameplay/combat/ballistics/telemetry/${combatId}`,
  replay: (simulationId: string) => `/api/v1/gameplay/combat/ballistics/simulations/${simulationId}/replay`,
  mods: (weaponId: string, characterId: string) =>
    `/api/v1/gameplay/combat/weapon-mods/${weaponId}?characterId=${characterId}`,
  skills: (characterId: string) => `/api/v1/gameplay/combat/skills/active?characterId=${characterId}`,
  curvedShot: '/api/v1/gameplay/combat/abilities/curved-shot/activate',
};

/** A second replica of gameplay (on Redis, every cooldown it reads crossed the network). */
export function startReplica(gameplay: Gameplay): Promise<ServiceReplica> {
  return startServiceReplica(gameplayService, gameplay);
}
