import type { HttpApp } from '@necp/platform';
import { referenceData } from '../domain/reference.ts';
import { ReferenceSchema } from './response-schemas.ts';

/** The rules and catalogue a client builds its screens from, under `/api/v1/characters`; no token needed. */
export function referenceRoutes(app: HttpApp): void {
  // Built once: the reference data only changes with a deployment.
  const body = referenceData();
  app.get(
    '/reference',
    {
      config: { access: 'public' },
      schema: {
        tags: ['characters'],
        summary: 'Origins, classes, factions, districts, starting values and item templates (public)',
        response: { 200: ReferenceSchema },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return body;
    },
  );
}
