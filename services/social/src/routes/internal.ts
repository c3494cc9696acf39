import { type HttpApp, problems, Uuid } from '@necp/platform';
import { Type } from 'typebox';
import type { SocialDeps } from '../flows/deps.ts';
import { orderFacts } from '../flows/order-facts.ts';

/** `/internal/v1/orders` (role `service`): what economy asks before a player's escrow lock. */
export function internalRoutes(app: HttpApp, deps: SocialDeps): void {
  app.get(
    '/:orderId',
    {
      config: { access: { roles: ['service'] } },
      schema: {
        summary: "An order's customer and status (services only)",
        params: Type.Object({ orderId: Uuid }),
        response: {
          200: Type.Object({ orderId: Uuid, customerCharacterId: Uuid, status: Type.String() }),
          ...problems(404),
        },
      },
    },
    async (request) => orderFacts(deps, request.params.orderId),
  );
}
