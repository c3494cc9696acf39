import { authOf, type HttpApp, problems } from '@necp/platform';
import type { GameplayDeps } from '../flows/deps.ts';
import { patchWeaponMods, weaponModsOf } from '../flows/weapon-mods.ts';
import { CharacterQuery, ModPatchBody, WeaponModsSchema, WeaponParams } from './schemas.ts';

const tags = ['weapon mods'];

/** Under `/api/v1/gameplay/combat/weapon-mods`: the mods installed on a character's weapon. */
export function weaponModRoutes(app: HttpApp, deps: GameplayDeps): void {
  app.get(
    '/:weaponId',
    {
      config: { access: 'caller' },
      schema: {
        tags,
        summary: 'Installed mods per slot (items the character still owns) and the stats they give',
        params: WeaponParams,
        querystring: CharacterQuery,
        response: { 200: WeaponModsSchema, ...problems(400, 403, 404, 502, 503) },
      },
    },
    async (request) => weaponModsOf(deps, authOf(request), request.query.characterId, request.params.weaponId),
  );

  app.patch(
    '/:weaponId',
    {
      config: { access: 'caller' },
      schema: {
        tags,
        summary: 'Install or remove mods (merge or overwrite); a change that breaks a rule is 422 MOD_CONFLICT, whole',
        params: WeaponParams,
        querystring: CharacterQuery,
        body: ModPatchBody,
        response: { 200: WeaponModsSchema, ...problems(400, 403, 404, 422, 502, 503) },
      },
    },
    async (request) =>
      patchWeaponMods(deps, authOf(request), request.query.characterId, request.params.weaponId, request.body),
  );
}
