import { Redis } from 'ioredis';
import { TurnReads } from './turn-reads.ts';

/** A counter after an increment: its new value and the milliseconds until it expires (-1: never). */
export interface CacheCounter {
  value: number;
  ttlMs: number;
}

/** The cache/counter port: string values with TTLs and atomic increments. */
export interface Cache {
  readonly kind: 'memory' | 'redis';
  /** The value of `key` (in one round trip with the turn's other reads). */
  get(key: string): Promise<string | null>;
  /** The values of `keys`, in their order, in one round trip (shared by the reads of one event-loop turn). */
  getMany(keys: readonly string[]): Promise<(string | null)[]>;
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Adds `by` atomically; `ttlMs` applies when the key is created. */
  increment(key: string, by?: number, ttlMs?: number): Promise<CacheCounter>;
  /** Milliseconds until `key` expires; -1 without expiry, -2 when absent. */
  ttl(key: string): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

interface Entry {
  value: string;
  expiresAt: number;
}

export class MemoryCache implements Cache {
  readonly kind = 'memory';
  readonly #entries = new Map<string, Entry>();
  readonly #sweeper: NodeJS.Timeout;

  constructor(sweepIntervalMs = 60_000) {
    this.#sweeper = setInterval(() => this.#sweep(), sweepIntervalMs);
    this.#sweeper.unref();
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
  }

  async get(key: string) {
    return this.#live(key)?.value ?? null;
  }

  async getMany(keys: readonly string[]) {
    return keys.map((key) => this.#live(key)?.value ?? null);
  }

  async set(key: string, value: string, ttlMs?: number) {
    this.#entries.set(key, { value, expiresAt: ttlMs ? Date.now() + ttlMs : Number.POSITIVE_INFINITY });
  }

  async delete(key: string) {
    this.#entries.delete(key);
  }

  async increment(key: string, by = 1, ttlMs?: number) {
    let entry = this.#live(key);
    if (entry) entry.value = String(Number(entry.value) + by);
    else {
      entry = { value: String(by), expiresAt: ttlMs ? Date.now() + ttlMs : Number.POSITIVE_INFINITY };
      this.#entries.set(key, entry);
    }
    const remaining = entry.expiresAt === Number.POSITIVE_INFINITY ? -1 : entry.expiresAt - Date.now();
    return { value: Number(entry.value), ttlMs: remaining };
  }

  async ttl(key: string) {
    const entry = this.#live(key);
    if (!entry) return -2;
    return entry.expiresAt === Number.POSITIVE_INFINITY ? -1 : entry.expiresAt - Date.now();
  }

  async ping() {}

  async close() {
    clearInterval(this.#sweeper);
    this.#entries.clear();
  }
}

/**
 * INCRBY and, when the key has no expiry yet, PEXPIRE, answering the value and the PTTL: one round
 * trip, atomic on the server (a rate limiter needs both).
 */
const INCREMENT_SCRIPT = `
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if tonumber(ARGV[2]) > 0 and ttl == -1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {value, ttl}`;

/** The client with the command `defineCommand` adds. */
type IncrementingRedis = Redis & {
  necpIncrement(key: string, by: number, ttlMs: number): Promise<[number, number]>;
};

export class RedisCache implements Cache {
  readonly kind = 'redis';
  readonly #redis: Redis;
  readonly #prefix: string;
  /**
   * Reads made once per request (the gateway's deny-list, character-service's sheet version): a
   * turn's requests share one MGET.
   */
  readonly #reads: TurnReads;

  constructor(url: string, prefix = 'necp:') {
    // Auto-pipelining sends the commands of one event-loop tick in one write: under load the
    // requests in flight share socket writes instead of paying a system call per command.
    this.#redis = new Redis(url, {
      lazyConnect: false,
      maxRetriesPerRequest: 2,
      enableOfflineQueue: true,
      enableAutoPipelining: true,
    });
    // EVALSHA with the script loaded once, instead of sending its text with every increment.
    this.#redis.defineCommand('necpIncrement', { numberOfKeys: 1, lua: INCREMENT_SCRIPT });
    // Connection errors surface on the failing command and in /ready; ioredis reconnects by itself.
    this.#redis.on('error', () => undefined);
    this.#prefix = prefix;
    this.#reads = new TurnReads((keys) => this.#redis.mget(keys.map((key) => this.#prefix + key)));
  }

  async get(key: string) {
    const [value] = await this.#reads.read([key]);
    return value ?? null;
  }

  async getMany(keys: readonly string[]) {
    if (keys.length === 0) return [];
    return this.#reads.read(keys);
  }

  async set(key: string, value: string, ttlMs?: number) {
    if (ttlMs) await this.#redis.set(this.#prefix + key, value, 'PX', ttlMs);
    else await this.#redis.set(this.#prefix + key, value);
  }

  async delete(key: string) {
    await this.#redis.del(this.#prefix + key);
  }

  async increment(key: string, by = 1, ttlMs = 0) {
    const [value, remaining] = await (this.#redis as IncrementingRedis).necpIncrement(this.#prefix + key, by, ttlMs);
    return { value: Number(value), ttlMs: Number(remaining) };
  }

  async ttl(key: string) {
    return this.#redis.pttl(this.#prefix + key);
  }

  async ping() {
    await this.#redis.ping();
  }

  async close() {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}

export function createCache(redisUrl: string | undefined, prefix?: string): Cache {
  return redisUrl ? new RedisCache(redisUrl, prefix) : new MemoryCache();
}
