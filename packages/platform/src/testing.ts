/**
 * `@necp/platform/testing`: what the tests of every package share. The adapters under test follow
 * the environment, so one test file runs against PGlite and memory (no variables) and against the
 * real PostgreSQL and Redis that `scripts/infra.sh up` exports; a service runs under test behind a
 * test issuer that also stands in for the peers it calls.
 */

export { type HostileSweep, type OpenApiDocument, type SweepResult, sweepHostileInputs } from './hostile-inputs.ts';
export {
  adapterLabel,
  connectTestDatabase,
  createFreshDatabase,
  createTestCache,
  createTestDatabase,
  type FreshDatabase,
  realDatabaseUrl,
  realKafkaBrokers,
  realRedisUrl,
  type TestDatabase,
  testConfig,
} from './testing/adapters.ts';
export type { FakeCharacterService, SkillLevels } from './testing/fake-character-service.ts';
export { type CallOptions, type CallReply, callHttp } from './testing/http-call.ts';
export { type SigningKey, startTestIssuer, type TestIssuer, type TestTokenOptions } from './testing/issuer.ts';
export { type ServiceProcess, startServiceProcess } from './testing/service-process.ts';
export { type ServiceReplica, startReplica } from './testing/service-replica.ts';
export {
  type EventToDeliver,
  type InjectReply,
  type InjectRequest,
  type ServiceUnderTest,
  type ServiceUnderTestOptions,
  startServiceUnderTest,
  type TestPlayer,
} from './testing/service-under-test.ts';
export { type WaitForOptions, waitFor } from './testing/wait-for.ts';
