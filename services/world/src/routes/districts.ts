import { type HttpApp, PageQuery, pageLimit, pageSchema, problems } from '@necp/platform';
import type { WorldDeps } from '../flows/deps.ts';
import { historyOf, listDistricts, unrestDetail } from '../flows/districts.ts';
import { DistrictList, DistrictParams, HistoryEntry, UnrestDetail } from './schemas.ts';

/** Under `/api/v1/world`: the city's districts (public), a district's unrest and its history. */
export function districtRoutes(app: HttpApp, deps: WorldDeps): void {
  app.get(
    '/districts',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Every district with its unrest level, tier and active scenario',
        response: { 200: DistrictList },
      },
    },
    async () => listDistricts(deps.db),
  );

  app.get(
    '/unrest/:districtId',
    {
      config: { access: 'caller' },
      schema: {
        summary: "A district's unrest: tier, risk, active events, influence sources of the last hour, forecast",
        params: DistrictParams,
        response: { 200: UnrestDetail, ...problems(400, 404) },
      },
    },
    async (request) => unrestDetail(deps.db, request.params.districtId, new Date()),
  );

  app.get(
    '/unrest/:districtId/history',
    {
      config: { access: 'caller' },
      schema: {
        summary: "A district's unrest changes, newest first",
        params: DistrictParams,
        querystring: PageQuery,
        response: { 200: pageSchema(HistoryEntry), ...problems(400, 404) },
      },
    },
    async (request) =>
      historyOf(deps.db, { districtId: request.params.districtId }, pageLimit(request.query), request.query.cursor),
  );
}
