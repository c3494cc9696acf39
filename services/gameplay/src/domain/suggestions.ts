/**
 * Mods `simulate` suggests: first what the shot asked for and the weapon lacks (the coupler for a
 * Curved Shot, a smart scope for smart assist or Smart Ricochet), then, for each slot still empty, the
 * first mod of the configuration's list for it that fits the class and the character's skills.
 */
import { type BallisticsRules, ballisticsConfig } from './ballistics-config.ts';
import { modFits } from './mods.ts';
import type { AmmoType, Loadout, ModId, ModSlot } from './names.ts';
import { ModSlots, slotValues } from './names.ts';
import { hasSmartScope } from './ricochet.ts';

export type SuggestionReason = 'curved_shot' | 'smart_assist' | 'smart_ricochet' | 'empty_slot';

export interface SuggestedMod {
  slot: ModSlot;
  modId: ModId;
  reason: SuggestionReason;
}

export function suggestMods(
  loadout: Loadout,
  shot: { ammoType: AmmoType; flags: { curvedShot: boolean; smartAssist: boolean } },
  rules: BallisticsRules = ballisticsConfig,
): SuggestedMod[] {
  const { weaponClass, mods, skills } = loadout;
  const suggested: SuggestedMod[] = [];
  const coupler = rules.curvedShot.requiredMod;
  const couplerSlot = rules.mods[coupler].slot;
  if (
    shot.flags.curvedShot &&
    rules.weaponClasses[weaponClass].curvedShot &&
    mods[couplerSlot] !== coupler &&
    modFits(weaponClass, coupler, skills, rules)
  ) {
    suggested.push({ slot: couplerSlot, modId: coupler, reason: 'curved_shot' });
  }
  const wantsSmart = shot.flags.smartAssist || rules.ammo[shot.ammoType].enablesSmartRicochet;
  if (wantsSmart && !hasSmartScope(mods, rules)) {
    for (const modId of rules.modRules.suggestions.scope) {
      if (!rules.mods[modId].smart || !modFits(weaponClass, modId, skills, rules)) continue;
      suggested.push({ slot: 'scope', modId, reason: shot.flags.smartAssist ? 'smart_assist' : 'smart_ricochet' });
      break;
    }
  }
  const modIds = slotValues(mods);
  const suggestions = slotValues(rules.modRules.suggestions);
  for (let i = 0; i < ModSlots.length; i += 1) {
    const slot = ModSlots[i] as ModSlot;
    if (modIds[i] != null || isSuggested(suggested, slot)) continue;
    for (const modId of suggestions[i] ?? []) {
      if (rules.mods[modId].slot !== slot || !modFits(weaponClass, modId, skills, rules)) continue;
      suggested.push({ slot, modId, reason: 'empty_slot' });
      break;
    }
  }
  return suggested;
}

function isSuggested(suggested: readonly SuggestedMod[], slot: ModSlot): boolean {
  for (const suggestion of suggested) if (suggestion.slot === slot) return true;
  return false;
}
