import { createServer } from 'node:net';
import { type ServiceName, ServiceNames, serviceUrlVariable } from '@necp/platform';

// Below Linux's ephemeral range (32768-60999), so an outgoing connection of another process cannot
// take a port between this check and the service's listen.
const FIRST_PORT = 20_000;
const PORT_SPAN = 12_000;

async function isFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function freePort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = FIRST_PORT + Math.floor(Math.random() * PORT_SPAN);
    if (!taken.has(port) && (await isFree(port))) {
      taken.add(port);
      return port;
    }
  }
}

/**
 * Free ports for every service and the `<SERVICE>_URL` variables that point at them, so a test or a
 * benchmark can run the whole backend beside one already listening on 8080-8086.
 */
export async function freeServicePorts(): Promise<{
  ports: Record<ServiceName, number>;
  urls: Record<string, string>;
}> {
  const taken = new Set<number>();
  const entries: (readonly [ServiceName, number])[] = [];
  for (const name of ServiceNames) entries.push([name, await freePort(taken)] as const);
  const ports = Object.fromEntries(entries) as Record<ServiceName, number>;
  const urls = Object.fromEntries(
    entries.map(([name, port]) => [serviceUrlVariable(name), `http://127.0.0.1:${port}`]),
  );
  return { ports, urls };
}
