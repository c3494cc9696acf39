import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Static, TObject } from 'typebox';
import type { Authenticator } from '../auth/http-auth.ts';
import type { Cache } from '../cache/cache.ts';
import type { PlatformConfig, ServiceName } from '../config.ts';
import type { EventBus, Subscription } from '../events/bus.ts';
import type { HttpApp, ReadinessCheck } from '../http/http-service.ts';
import type { InProcessServices } from '../http/in-process.ts';
import type { InternalClient } from '../http/internal-client.ts';
import type { CharacterAccess, CharacterAccessOptions } from '../ownership/character-access.ts';
import type { RouteAccess } from '../routes/route-access.ts';
import type { SqlDatabase } from '../sql/database.ts';

/** What a service's composition root (`build`) is given: the process's adapters and the platform's capabilities. */
export interface ServiceContext {
  name: ServiceName;
  config: PlatformConfig;
  logger: Logger;
  /** The service's own metrics (its `/metrics` also shows the process-level ones). */
  metrics: Registry;
  cache: Cache;
  bus: EventBus;
  /** The other services of this process (all of them in the all-in-one process, none otherwise). */
  inProcess: InProcessServices;
  /** The deployment's token verification and deny-list (shared by the services of one process). */
  authenticator: Authenticator;
  /** The service's own settings, read from the environment the configuration came from (a wrong value stops the start). */
  settings<S extends TObject>(schema: S): Static<S>;
  /** character-service's internal endpoints, called with this service's client-credentials token. */
  characterService: InternalClient;
  /** "Does this character belong to the caller?", answered the same way in every service. */
  characterAccess(options?: CharacterAccessOptions): CharacterAccess;
}

/** The context of a service with migrations: its database is there, migrated. */
export interface StoredServiceContext extends ServiceContext {
  db: SqlDatabase;
}

/** Stops a job; resolves once it has stopped. */
export type StopJob = () => Promise<void>;

/** A background job (a scheduler, a sweeper): started after the routes, stopped after them. */
export type ServiceJob<Deps, Context extends ServiceContext = ServiceContext> = (
  deps: Deps,
  context: Context,
) => Promise<StopJob>;

/** A group of routes registered under its prefix as one encapsulated Fastify plugin. */
export interface RouteGroup<Deps> {
  /** `/api/v1/economy`, say; routes inside name their paths from there (`''` for the prefix itself). */
  prefix: string;
  /**
   * The access of the group's routes that declare none: `'caller'` when absent. The gateway's groups
   * say `'public'`: the edge checks every proxied request itself (`edgeAuthentication`).
   */
  defaultAccess?: RouteAccess;
  routes(app: HttpApp, deps: Deps): void | Promise<void>;
}

interface ServiceParts<Deps, Context extends ServiceContext> {
  name: ServiceName;
  description: string;
  /** The `producer` its events carry in the outbox, when it is not the service's name. */
  producer?: string;
  /** See `HttpServiceOptions.forwardsBodies` (the gateway). */
  forwardsBodies?: boolean;
  /** The composition root: builds the service's dependencies once, before anything else starts. */
  build(context: Context): Deps | Promise<Deps>;
  /**
   * Hooks and plugins on the whole app, before the route groups and not encapsulated: the gateway's
   * edge (CORS, rate limits, the token check of every request, unknown routes included).
   */
  edge?(app: HttpApp, deps: Deps): void | Promise<void>;
  routes: readonly RouteGroup<Deps>[];
  consumers?(deps: Deps, context: Context): Subscription[];
  jobs?: readonly ServiceJob<Deps, Context>[];
  readiness?(deps: Deps): Record<string, ReadinessCheck>;
  /**
   * Verifies the callers of this service's routes; the deployment's issuer when absent (auth-service
   * verifies its own tokens against its key ring).
   */
  authenticator?(deps: Deps): Authenticator;
}

/** A service that keeps tables: its folder of migrations, and a database its `build` can count on. */
export interface StoredServiceSpec<Deps> extends ServiceParts<Deps, StoredServiceContext> {
  migrations: URL;
}

/** A service without tables (the gateway). */
export interface StatelessServiceSpec<Deps> extends ServiceParts<Deps, ServiceContext> {
  migrations?: undefined;
}

/** A service as `build` made it: what the runner starts. */
export interface ComposedService {
  authenticator: Authenticator | undefined;
  edge(app: HttpApp): void | Promise<void>;
  routes: readonly RouteGroup<undefined>[];
  subscriptions: Subscription[];
  jobs: (() => Promise<StopJob>)[];
  readiness: Record<string, ReadinessCheck>;
}

/** What the runners (`startService`, `runStandalone`, the all-in-one) take. */
export interface ServiceDefinition {
  readonly name: ServiceName;
  readonly description: string;
  readonly migrations: URL | undefined;
  readonly producer: string | undefined;
  readonly forwardsBodies: boolean;
  /** Runs the composition root once; `db` is given exactly when the definition has migrations. */
  compose(context: ServiceContext, db: SqlDatabase | undefined): Promise<ComposedService>;
}

function bindParts<Deps, Context extends ServiceContext>(
  spec: ServiceParts<Deps, Context>,
  deps: Deps,
  context: Context,
): ComposedService {
  return {
    authenticator: spec.authenticator?.(deps),
    edge: (app) => spec.edge?.(app, deps),
    routes: spec.routes.map((group) => ({ ...group, routes: (app) => group.routes(app, deps) })),
    subscriptions: spec.consumers?.(deps, context) ?? [],
    jobs: (spec.jobs ?? []).map((job) => () => job(deps, context)),
    readiness: spec.readiness?.(deps) ?? {},
  };
}

/** One service, one shape: a composition root, route groups under prefixes, consumers, jobs. */
export function defineService<Deps>(spec: StoredServiceSpec<Deps>): ServiceDefinition;
export function defineService<Deps>(spec: StatelessServiceSpec<Deps>): ServiceDefinition;
export function defineService<Deps>(spec: StoredServiceSpec<Deps> | StatelessServiceSpec<Deps>): ServiceDefinition {
  return {
    name: spec.name,
    description: spec.description,
    migrations: spec.migrations,
    producer: spec.producer,
    forwardsBodies: spec.forwardsBodies ?? false,
    async compose(context, db) {
      if (spec.migrations === undefined) return bindParts(spec, await spec.build(context), context);
      if (!db) throw new Error(`${spec.name}-service keeps tables: it needs its database`);
      const stored: StoredServiceContext = { ...context, db };
      return bindParts(spec, await spec.build(stored), stored);
    },
  };
}
