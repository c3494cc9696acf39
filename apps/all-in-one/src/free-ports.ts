import { createServer } from 'node:net';
import { type ServiceName, ServiceNames, serviceUrlVariable } from '@necp/platform';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || !address) throw new Error('no free port');
  return address.port;
}

/**
 * Free ports for every service and the `<SERVICE>_URL` variables that point at them, so a test or a
 * benchmark can run the whole backend beside one already listening on 8080-8086.
 */
export async function freeServicePorts(): Promise<{
  ports: Record<ServiceName, number>;
  urls: Record<string, string>;
}> {
  const entries = await Promise.all(ServiceNames.map(async (name) => [name, await freePort()] as const));
  const ports = Object.fromEntries(entries) as Record<ServiceName, number>;
  const urls = Object.fromEntries(
    entries.map(([name, port]) => [serviceUrlVariable(name), `http://127.0.0.1:${port}`]),
  );
  return { ports, urls };
}
