/** A service's `main.ts` in a process of its own, started on port 0; its port read from its "listening" log line. */
import { type ChildProcess, spawn } from 'node:child_process';

export interface ServiceProcess {
  base: string;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL, as a crash: no shutdown, no draining. */
  crash(): Promise<void>;
  output(): string;
}

export async function startServiceProcess(
  name: 'social' | 'economy',
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
    const timer = setTimeout(() => fail(new Error(`${name}-service did not start:\n${output.slice(-3000)}`)), 120_000);
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

function parseLine(line: string): { message?: unknown; port?: unknown } | undefined {
  try {
    return JSON.parse(line) as { message?: unknown; port?: unknown };
  } catch {
    return undefined;
  }
}

export async function callJson(
  base: string,
  method: string,
  path: string,
  token: string,
  body?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: tests read bodies loosely and check them with assertions
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {} };
}
