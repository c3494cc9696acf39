/**
 * Ballistics simulations per second. First the pure model on one core (this process's main
 * thread, nothing else running in it): `simulateShot` with a full loadout (smart rifle, scope,
 * coupler, implants, Curved Shot, emp on metal) and a new seed each time, against a baseline
 * measured in the same run: the loop's floor, the model's own three seeded draws per shot and a
 * result object, so the ratio says what the rules cost above drawing the numbers. Target: at least
 * 1,000,000 simulations per second.
 *
 * Then `POST /api/v1/gameplay/combat/ballistics/simulate` through the gateway with a verified
 * bearer token (gameplay reads the loadout's version with its combat state, answers from its copy of
 * the loadout while the version stays (character-service moves it after every change), stores the
 * simulation and its event in a group commit), against the character-sheet read through the gateway
 * in the same run as the baseline.
 * Target: at least 50% of the sheet read. The backend runs in a child process (this file with
 * `--serve`) so the load generator does not share its event loop; the per-character simulation
 * limit is lifted for the run (every request is counted, none refused).
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Loadout } from '../../services/gameplay/src/domain/names.ts';
import { createRandom } from '../../services/gameplay/src/domain/random.ts';
import { type ShotRequest, simulateShot } from '../../services/gameplay/src/domain/simulate.ts';
import { announceTargets, serveInChild } from './fixtures/served-backend.ts';
import { load, printTable } from './load.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
/** Untimed load on each HTTP path first, so the measured seconds run on optimized code. */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);

interface Targets {
  gateway: number;
  gameplay: number;
  token: string;
  characterId: string;
  weaponId: string;
}

const loadout: Loadout = {
  weaponClass: 'smart_rifle',
  mods: { scope: 'scope_smart_mk1', chip: 'neuro_gyro_coupler', barrel: 'barrel_heavy_mk1' },
  implants: ['smart_wrist_tendons', 'gyro_stabilizer_mk3', 'kiroshi_optics'],
  skills: { ballistics: 30, precision: 60, engineering: 40, hacking: 0 },
};
const request: Omit<ShotRequest, 'seed'> = {
  ammoType: 'emp',
  distanceMeters: 75,
  angleDegrees: 50,
  targetArmor: 'kevlar_t2',
  environmentMaterial: 'metal',
  flags: { curvedShot: true, smartAssist: true },
  bendAngle: 12,
};

/** Iterations of `step` per second over `seconds`, checking the clock every 4096 iterations. */
function perSecond(seconds: number, step: (i: number) => number): { rate: number; sink: number } {
  let sink = 0;
  let iterations = 0;
  const started = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  for (;;) {
    for (let i = 0; i < 4096; i += 1) sink += step(iterations + i);
    iterations += 4096;
    const elapsed = process.hrtime.bigint() - started;
    if (elapsed >= budget) return { rate: Math.round((iterations * 1e9) / Number(elapsed)), sink };
  }
}

function measureModel(): void {
  const floor = (seed: number) => {
    const random = createRandom(seed >>> 0);
    const result = { hit: random.next(), ricochet: random.next(), status: random.next() };
    return result.hit + result.ricochet + result.status;
  };
  const model = (seed: number) => simulateShot(loadout, { ...request, seed: seed >>> 0 }).expectedDamage;
  // Warm both up so neither is measured while V8 compiles it.
  perSecond(Math.min(1, SECONDS / 3), floor);
  perSecond(Math.min(1, SECONDS / 3), model);
  const baseline = perSecond(SECONDS, floor);
  const measured = perSecond(SECONDS, model);
  process.stdout.write('\nBallistics model, one core (this process alone)\n');
  process.stdout.write(`${'target'.padEnd(52)}${'per second'.padStart(14)}  vs baseline\n`);
  process.stdout.write(
    `${'baseline: 3 seeded draws and a result object'.padEnd(52)}${String(baseline.rate).padStart(14)}  1.00×\n`,
  );
  process.stdout.write(
    `${'simulateShot, full loadout, Curved Shot, emp on metal'.padEnd(52)}${String(measured.rate).padStart(14)}  ${(measured.rate / baseline.rate).toFixed(2)}×\n`,
  );
  process.stdout.write(
    `target at least 1,000,000 simulations/s: ${measured.rate >= 1_000_000 ? 'met' : 'NOT met'} (checksums ${baseline.sink.toFixed(0)}, ${measured.sink.toFixed(0)})\n`,
  );
}

async function serve(): Promise<void> {
  const { startBenchBackend } = await import('./fixtures/bench-backend.ts');
  const { ports, issuer, stop } = await startBenchBackend({
    ...process.env,
    RATE_LIMIT_SIMULATIONS_PER_MINUTE: '100000000',
    // On real servers gameplay asks character-service for loadouts with its own client token.
    GAMEPLAY_CLIENT_SECRET: process.env.GAMEPLAY_CLIENT_SECRET ?? randomBytes(24).toString('base64url'),
  });
  const token = await issuer.token({ expiresInSeconds: 3600 });
  const gateway = `http://127.0.0.1:${ports.gateway}`;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const created = await fetch(`${gateway}/api/v1/characters`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: `Gunner ${Date.now().toString(36)}`, origin: 'corpo', class: 'solo' }),
  });
  const sheet = (await created.json()) as { characterId?: string };
  if (created.status !== 201 || !sheet.characterId) {
    throw new Error(`creating the bench character failed: ${created.status} ${JSON.stringify(sheet)}`);
  }
  const inventory = (await (
    await fetch(`${gateway}/api/v1/characters/${sheet.characterId}/inventory`, { headers })
  ).json()) as { items: { itemId: string; templateId: string }[] };
  const weapon = inventory.items.find((item) => item.templateId === 'smart_pistol_kenshin');
  if (!weapon) throw new Error('the corpo starting kit has no smart pistol');
  const targets: Targets = {
    gateway: ports.gateway,
    gameplay: ports.gameplay,
    token,
    characterId: sheet.characterId,
    weaponId: weapon.itemId,
  };
  announceTargets(targets, stop);
}

async function measureHttp(): Promise<void> {
  const backend = await serveInChild<Targets>(new URL(import.meta.url).pathname);
  const { targets } = backend;
  const auth = { authorization: `Bearer ${targets.token}` };
  const sheet = { url: `http://127.0.0.1:${targets.gateway}/api/v1/characters/${targets.characterId}`, headers: auth };
  const shot = (base: number) => ({
    url: `http://127.0.0.1:${base}/api/v1/gameplay/combat/ballistics/simulate`,
    method: 'POST' as const,
    headers: { ...auth, 'content-type': 'application/json' },
    // No seed: each simulation draws its own, as a client's would.
    body: JSON.stringify({
      characterId: targets.characterId,
      weaponId: targets.weaponId,
      ammoType: 'standard',
      distanceMeters: 30,
      angleDegrees: 40,
      targetArmor: 'kevlar_t1',
      environmentMaterial: 'concrete',
      flags: { curvedShot: false, smartAssist: false },
    }),
  });
  try {
    if (WARMUP_SECONDS > 0) {
      await load({ name: 'warm-up', ...sheet, durationSeconds: WARMUP_SECONDS });
      await load({ name: 'warm-up', ...shot(targets.gateway), durationSeconds: WARMUP_SECONDS });
      await sleep(200);
    }
    const baseline = await load({ name: 'GET character sheet via gateway', ...sheet, durationSeconds: SECONDS });
    const viaGateway = await load({
      name: 'POST simulate via gateway',
      ...shot(targets.gateway),
      durationSeconds: SECONDS,
    });
    const direct = await load({
      name: 'POST simulate, gameplay direct',
      ...shot(targets.gameplay),
      durationSeconds: SECONDS,
    });
    printTable(
      'Simulations over HTTP (autocannon, 50 connections; backend in one child process)',
      [baseline, viaGateway, direct],
      baseline,
    );
    const ratio = viaGateway.requestsPerSecond / baseline.requestsPerSecond;
    process.stdout.write(
      `target simulate via gateway at least 0.50× the sheet read: ${ratio >= 0.5 ? 'met' : 'NOT met'} (${ratio.toFixed(2)}×)\n`,
    );
    if (baseline.non2xx + viaGateway.non2xx + direct.non2xx + baseline.errors + viaGateway.errors + direct.errors > 0) {
      process.stdout.write('warning: some requests failed; the figures above are not clean\n');
    }
  } finally {
    await backend.stop();
  }
}

if (process.argv.includes('--serve')) await serve();
else {
  measureModel();
  await measureHttp();
}
