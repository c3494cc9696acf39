/**
 * The economy's numbers (shared/DOMAIN.md, Economy and Characters' starting kit), kept as data so a
 * designer changes them here without touching the rules that read them.
 */
export const CURRENCY = 'EDD';

export const MATERIALS = [
  'metal',
  'electronics',
  'glass',
  'chemicals',
  'mechanics',
  'rare_circuit',
  'optical_lens',
  'micro_servo',
] as const;

export type Material = (typeof MATERIALS)[number];
export type Asset = typeof CURRENCY | Material;

export const ASSETS: readonly Asset[] = [CURRENCY, ...MATERIALS];

export function isAsset(value: string): value is Asset {
  return (ASSETS as readonly string[]).includes(value);
}

export interface StartingKit {
  /** Eddies by origin; an origin not listed gets `defaultEddies`. */
  eddiesByOrigin: Record<string, number>;
  defaultEddies: number;
  /** Materials every origin gets. */
  materials: Partial<Record<Material, number>>;
}

export const startingKit: StartingKit = {
  eddiesByOrigin: { street_kid: 1_000, corpo: 2_500, nomad: 1_500 },
  // An origin added to character-service before this table is updated still gets the smallest purse.
  defaultEddies: 1_000,
  materials: { metal: 6, electronics: 4, glass: 2, chemicals: 2, mechanics: 2 },
};

/** What the starting kit of a character of `origin` grants, asset by asset, zero amounts left out. */
export function startingGrants(origin: string, kit: StartingKit = startingKit): { asset: Asset; amount: number }[] {
  const eddies = kit.eddiesByOrigin[origin] ?? kit.defaultEddies;
  const grants: { asset: Asset; amount: number }[] = [{ asset: CURRENCY, amount: eddies }];
  for (const material of MATERIALS) {
    const amount = kit.materials[material] ?? 0;
    if (amount > 0) grants.push({ asset: material, amount });
  }
  return grants.filter((grant) => grant.amount > 0);
}
