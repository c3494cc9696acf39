/**
 * HTTP overhead: a bare Fastify hello-world (the framework's ceiling on this machine), a service's
 * `/health` directly, and the same through the gateway, in one run, with the ratios.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { load, printTable } from './load.ts';

const targets = spawn(process.execPath, [new URL('./fixtures/http-targets.ts', import.meta.url).pathname], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: process.env,
});
const marker = 'http-targets ';
const firstLine = await new Promise<string>((resolve, reject) => {
  createInterface({ input: targets.stdout }).on('line', (line) => {
    if (line.startsWith(marker)) resolve(line.slice(marker.length));
  });
  targets.once('exit', (code) => reject(new Error(`targets exited with ${code}`)));
});
const { token, ...ports } = JSON.parse(firstLine) as Record<string, number> & { token: string };

try {
  const bare = await load({ name: 'bare Fastify GET /hello', url: `http://127.0.0.1:${ports.bare}/hello` });
  const direct = await load({
    name: 'world-service GET /health (direct)',
    url: `http://127.0.0.1:${ports.world}/health`,
  });
  // The gateway forwards only the API prefixes, so the hop is measured on one API path asked of
  // world-service directly and through the gateway: public (no token), then with a verified token.
  const path = '/api/v1/world/districts';
  const probeDirect = await load({ name: `world ${path} (direct)`, url: `http://127.0.0.1:${ports.world}${path}` });
  const viaGateway = await load({
    name: `  same via gateway, public`,
    url: `http://127.0.0.1:${ports.gateway}${path}`,
  });
  const withToken = await load({
    name: `  same via gateway, with a verified token`,
    url: `http://127.0.0.1:${ports.gateway}${path}`,
    headers: { authorization: `Bearer ${token}` },
  });
  printTable(
    'HTTP overhead (autocannon, 50 connections; servers in one child process, 2 cores)',
    [bare, direct, probeDirect, viaGateway, withToken],
    bare,
  );
  process.stdout.write(
    `gateway hop: ${(viaGateway.requestsPerSecond / probeDirect.requestsPerSecond).toFixed(2)}× the direct rate ` +
      `(+${(viaGateway.p50Ms - probeDirect.p50Ms).toFixed(1)} ms p50); with token verification ` +
      `${(withToken.requestsPerSecond / viaGateway.requestsPerSecond).toFixed(2)}× the unauthenticated rate\n`,
  );
} finally {
  targets.kill('SIGTERM');
}
