import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadPlatformConfig, servicePort, serviceUrl } from '../../src/config.ts';

describe('configuration from the environment', () => {
  it('applies the defaults when nothing is set', () => {
    const config = loadPlatformConfig({});
    assert.equal(config.DATA_DIR, './data');
    assert.equal(config.TIME_SCALE, 1);
    assert.equal(config.LOG_LEVEL, 'info');
    assert.equal(config.DATABASE_URL, undefined);
    assert.equal(serviceUrl(config, 'economy'), 'http://127.0.0.1:8085');
  });

  it('converts numbers and keeps valid values', () => {
    const config = loadPlatformConfig({
      TIME_SCALE: '60',
      DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
      KAFKA_BROKERS: '127.0.0.1:9092,127.0.0.1:9093',
      ECONOMY_URL: 'http://economy:8085',
    });
    assert.equal(config.TIME_SCALE, 60);
    assert.equal(config.KAFKA_BROKERS, '127.0.0.1:9092,127.0.0.1:9093');
    assert.equal(serviceUrl(config, 'economy'), 'http://economy:8085');
  });

  for (const [variable, value] of [
    ['TIME_SCALE', 'fast'],
    ['TIME_SCALE', '0'],
    ['DATABASE_URL', 'mysql://nope'],
    ['REDIS_URL', 'localhost:6379'],
    ['KAFKA_BROKERS', 'broker-without-port'],
    ['LOG_LEVEL', 'loud'],
    ['OUTBOX_RELAY', 'debezium'],
    ['OUTBOX_SLOT_NAME', 'Necp-Outbox'],
    ['ECONOMY_URL', 'economy:8085'],
  ] as const) {
    it(`stops with a message naming ${variable} when it is ${JSON.stringify(value)}`, () => {
      assert.throws(
        () => loadPlatformConfig({ [variable]: value }),
        (error: unknown) =>
          error instanceof ConfigError && error.message.includes(variable) && error.message.includes(value),
      );
    });
  }

  it('points <SERVICE>_URL and the issuer at <SERVICE>_PORT when only the port is set', () => {
    const config = loadPlatformConfig({
      ECONOMY_PORT: '9185',
      GATEWAY_PORT: '9180',
      AUTH_PORT: '9181',
      AUTH_URL: 'http://auth:1',
    });
    assert.equal(serviceUrl(config, 'economy'), 'http://127.0.0.1:9185');
    assert.equal(config.AUTH_ISSUER_URL, 'http://127.0.0.1:9180');
    assert.equal(serviceUrl(config, 'auth'), 'http://auth:1', 'a URL that is set wins over the port');
    assert.equal(serviceUrl(config, 'world'), 'http://127.0.0.1:8086');
    assert.equal(config.env.ECONOMY_URL, 'http://127.0.0.1:9185', "each service's own settings see the same URLs");
  });

  it('reads a service port from <SERVICE>_PORT and refuses a bad one', () => {
    assert.equal(servicePort('world', {}), 8086);
    assert.equal(servicePort('world', { WORLD_PORT: '9999' }), 9999);
    assert.throws(() => servicePort('world', { WORLD_PORT: '99999' }), /WORLD_PORT/);
  });
});
