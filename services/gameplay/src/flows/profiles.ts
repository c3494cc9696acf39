import { WeaponTemplates } from '@necp/contracts';
import { AppError } from '@necp/platform';
import { weaponProfile } from '../domain/weapon-profile.ts';

/** A weapon template's profile (its class's numbers, ammo and mods): 404 for a template that is not a weapon. */
export function profileOfTemplate(templateId: string) {
  if (!Object.hasOwn(WeaponTemplates, templateId)) throw new AppError('NOT_FOUND', 'No weapon template has this id');
  const weaponClass = WeaponTemplates[templateId as keyof typeof WeaponTemplates];
  return { weaponId: templateId, ...weaponProfile(weaponClass) };
}
