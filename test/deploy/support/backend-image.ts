import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = new URL('../../../', import.meta.url).pathname;

/**
 * Builds deploy/docker/Dockerfile from this checkout as `image`, on the Docker engine of
 * scripts/infra/docker.sh and the local stand-in of its public base (scripts/infra/node-base-image.sh).
 * Docker's layer cache rebuilds only what changed.
 */
export async function buildBackendImage(image: string): Promise<void> {
  await run(join(root, 'scripts/infra/docker.sh'), []);
  const { stdout: base } = await run(join(root, 'scripts/infra/node-base-image.sh'), [], {
    maxBuffer: 16 * 1024 * 1024,
  });
  await run(
    'docker',
    [
      'build',
      '--network',
      'host',
      '--build-arg',
      `NODE_IMAGE=${base.trim()}`,
      '-f',
      'deploy/docker/Dockerfile',
      '-t',
      image,
      '.',
    ],
    { cwd: root, maxBuffer: 64 * 1024 * 1024 },
  );
}
