/**
 * A service's `main.ts` in a process of its own, as a crash test needs one: started on port 0, its port read
 * from its "<name> listening" log line, killed with SIGKILL (no shutdown, no draining).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { ServiceName } from '../config.ts';

export interface ServiceProcess {
  base: string;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL, as a crash: no shutdown, no draining. */
  crash(): Promise<void>;
  output(): string;
}

/** A process on a busy machine may take a while to import, migrate and listen. */
const START_WITHIN_MS = 120_000;

function parseLine(line: string): { message?: unknown; port?: unknown } | undefined {
  try {
    return JSON.parse(line) as { message?: unknown; port?: unknown };
  } catch {
    return undefined;
  }
}

export async function startServiceProcess(
  name: ServiceName,
  main: string,
  env: NodeJS.ProcessEnv,
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [main], {
    env: { ...env, [`${name.toUpperCase()}_PORT`]: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new Error(`${name}-service did not start:\n${output.slice(-3000)}`)),
      START_WITHIN_MS,
    );
    const read = (chunk: Buffer) => {
      output += chunk;
      for (const line of output.split('\n')) {
        const record = parseLine(line);
        if (record?.message === `${name} listening` && typeof record.port === 'number') {
          clearTimeout(timer);
          resolve(record.port);
        }
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    void exited.then(({ code, signal }) => fail(new Error(`${name}-service exited (${code ?? signal}):\n${output}`)));
  });
  return {
    base: `http://127.0.0.1:${port}`,
    child,
    exited,
    async crash() {
      child.kill('SIGKILL');
      await exited;
    },
    output: () => output,
  };
}
