import { authOf, type HttpApp, pageQuery, pageSchema, problems, Uuid } from '@necp/platform';
import { Type } from 'typebox';
import type { SocialDeps } from '../flows/deps.ts';
import { disputeQueue } from '../flows/disputes.ts';
import { Arbiters } from '../flows/order-access.ts';
import { ratingCard } from '../flows/ratings.ts';
import { DisputeSchema, RatingsSchema } from './schemas.ts';

/** Under `/api/v1/social`: ratings for everyone, the dispute queue for arbiters. */
export function ratingRoutes(app: HttpApp, deps: SocialDeps): void {
  app.get(
    '/ratings/:characterId',
    {
      config: { access: 'caller' },
      schema: {
        summary: "A character's executor and customer scores and tiers",
        params: Type.Object({ characterId: Uuid }),
        response: { 200: RatingsSchema, ...problems(404) },
      },
    },
    async (request) => {
      authOf(request);
      return ratingCard(deps.db, request.params.characterId, new Date());
    },
  );

  app.get(
    '/disputes',
    {
      config: { access: { roles: Arbiters } },
      schema: {
        summary: "The arbiters' queue: open disputes, oldest first",
        querystring: pageQuery({}),
        response: { 200: pageSchema(DisputeSchema), ...problems(400) },
      },
    },
    async (request) => disputeQueue(deps, request.query),
  );
}
