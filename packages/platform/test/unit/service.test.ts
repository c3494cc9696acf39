import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { createRuntime } from '../../src/runtime.ts';
import { defineService } from '../../src/service/definition.ts';
import { startService } from '../../src/service.ts';
import { testConfig } from '../../src/testing.ts';

describe('starting a service', () => {
  it('stops its jobs and server when its port is taken, so nothing keeps the process alive', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    let jobRunning = false;
    const definition = defineService({
      name: 'world',
      description: 'a service whose port is taken',
      build: () => undefined,
      routes: [],
      jobs: [
        async () => {
          jobRunning = true;
          return async () => {
            jobRunning = false;
          };
        },
      ],
    });
    const runtime = await createRuntime(testConfig({ KAFKA_BROKERS: '', REDIS_URL: '' }), 'service-test');
    try {
      await assert.rejects(startService(definition, runtime, { host: '127.0.0.1', port }), /EADDRINUSE/);
      assert.equal(jobRunning, false, 'the job was stopped');
    } finally {
      await runtime.close();
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
