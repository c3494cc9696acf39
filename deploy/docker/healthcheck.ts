/**
 * The image's HEALTHCHECK: liveness (`/health`) of the service SERVICE names, on its `<SERVICE>_PORT`
 * (the gateway's for all-in-one). Exit 0 healthy, 1 not.
 */
// The configuration module alone, not the whole kit: this runs every interval in every container, and
// loading the platform (Kafka, PostgreSQL, Fastify, ...) costs seconds of CPU each time on a small server.
import { type ServiceName, ServiceNames, servicePort } from '../../packages/platform/src/config.ts';

const configured = process.env.SERVICE ?? 'gateway';
const service: ServiceName = (ServiceNames as string[]).includes(configured) ? (configured as ServiceName) : 'gateway';
try {
  const response = await fetch(`http://127.0.0.1:${servicePort(service)}/health`, {
    signal: AbortSignal.timeout(4000),
  });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
