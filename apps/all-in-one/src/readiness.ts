import type { RunningService } from '@necp/platform';

interface ReadinessBody {
  checks?: Record<string, string>;
}

/** Each service's failing readiness checks (`service: check: reason`), asked in-process; empty when all are ready. */
export async function unreadyChecks(services: readonly RunningService[]): Promise<string[]> {
  const answers = await Promise.all(
    services.map(async (service) => {
      const response = await service.http.app.inject({ method: 'GET', url: '/ready' });
      const { checks = {} } = response.json<ReadinessBody>();
      return Object.entries(checks)
        .filter(([, status]) => status !== 'ok')
        .map(([check, reason]) => `${service.name}: ${check}: ${reason}`);
    }),
  );
  return answers.flat();
}
