/**
 * Character sheet reads per second: character-service directly (the baseline), the same read
 * through the gateway with a verified bearer token, and the gateway read revalidated with
 * If-None-Match (304). The backend runs in a child process (this file with `--serve`) so the load
 * generator does not share its event loop.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { load, printTable } from './load.ts';

/** Marks the line carrying the targets: the backend may print other lines on stdout first. */
const TargetsMarker = 'character-sheet-targets ';

interface Targets {
  gateway: number;
  character: number;
  token: string;
  characterId: string;
  etag: string;
}

async function serve(): Promise<void> {
  const { startBenchBackend } = await import('./fixtures/bench-backend.ts');
  const { ports, issuer, stop } = await startBenchBackend();
  const token = await issuer.token({ expiresInSeconds: 3600 });
  const created = await fetch(`http://127.0.0.1:${ports.gateway}/api/v1/characters`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `Bench ${Date.now().toString(36)}`, origin: 'corpo', class: 'solo' }),
  });
  const sheet = (await created.json()) as { characterId?: string; etag?: string };
  if (created.status !== 201 || !sheet.characterId || !sheet.etag) {
    throw new Error(`creating the bench character failed: ${created.status} ${JSON.stringify(sheet)}`);
  }
  const targets: Targets = {
    gateway: ports.gateway,
    character: ports.character,
    token,
    characterId: sheet.characterId,
    etag: sheet.etag,
  };
  process.stdout.write(`${TargetsMarker}${JSON.stringify(targets)}\n`);
  process.on('SIGTERM', async () => {
    await stop();
    process.exit(0);
  });
}

async function measure(): Promise<void> {
  const child = spawn(process.execPath, [new URL(import.meta.url).pathname, '--serve'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: process.env,
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (text) => {
      if (text.startsWith(TargetsMarker)) resolve(text.slice(TargetsMarker.length));
    });
    child.once('exit', (code) => reject(new Error(`the backend exited with ${code}`)));
  });
  const targets = JSON.parse(line) as Targets;
  const path = `/api/v1/characters/${targets.characterId}`;
  const headers = { authorization: `Bearer ${targets.token}` };
  try {
    const direct = await load({
      name: 'GET sheet, character-service direct',
      url: `http://127.0.0.1:${targets.character}${path}`,
      headers,
    });
    const viaGateway = await load({
      name: 'GET sheet via gateway (JWT verified twice)',
      url: `http://127.0.0.1:${targets.gateway}${path}`,
      headers,
    });
    const revalidated = await load({
      name: 'GET sheet via gateway, If-None-Match (304)',
      url: `http://127.0.0.1:${targets.gateway}${path}`,
      headers: { ...headers, 'if-none-match': targets.etag },
    });
    printTable(
      'Character sheet reads (autocannon, 50 connections; backend in one child process, 2 cores)',
      [direct, viaGateway, revalidated],
      direct,
    );
    // A 304 is not 2xx to autocannon; only the first two must be clean.
    if (direct.non2xx + viaGateway.non2xx + direct.errors + viaGateway.errors > 0) {
      process.stdout.write('warning: some sheet reads failed; the figures above are not clean\n');
    }
  } finally {
    child.kill('SIGTERM');
  }
}

if (process.argv.includes('--serve')) await serve();
else await measure();
