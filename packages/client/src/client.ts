import createClient, { type Client } from 'openapi-fetch';
import type { paths as AuthPaths } from './generated/auth.ts';
import type { paths as CharacterPaths } from './generated/character.ts';
import type { paths as EconomyPaths } from './generated/economy.ts';
import type { paths as GameplayPaths } from './generated/gameplay.ts';
import type { paths as SocialPaths } from './generated/social.ts';
import type { paths as WorldPaths } from './generated/world.ts';
import { createSession, type Session, type Tokens } from './session.ts';
import { openStream, type StreamHandle, type StreamOptions } from './stream.ts';

export interface NecpClientOptions {
  /** The gateway, e.g. `http://localhost:8080`. */
  baseUrl: string;
  /** The OAuth client the game signs in as; `necp-game` (the public client) by default. */
  clientId?: string;
  /** Tokens kept from an earlier run. */
  tokens?: Tokens;
  onTokens?: (tokens: Tokens | null) => void;
  /** The fetch to use (Node and browsers have one; tests may wrap it). */
  fetch?: typeof fetch;
}

// biome-ignore lint/complexity/noBannedTypes: openapi-fetch's own bound for a paths type
type Paths = {};

/** One typed client per service, every one through the gateway, sharing one session. */
export interface NecpClient {
  session: Session;
  auth: Client<AuthPaths>;
  characters: Client<CharacterPaths>;
  gameplay: Client<GameplayPaths>;
  social: Client<SocialPaths>;
  economy: Client<EconomyPaths>;
  world: Client<WorldPaths>;
  /** The account's realtime stream through the gateway (README, Realtime). */
  stream(options: StreamOptions): StreamHandle;
}

export function createNecpClient(options: NecpClientOptions): NecpClient {
  const fetchWith = options.fetch ?? globalThis.fetch.bind(globalThis);
  const session = createSession({
    baseUrl: options.baseUrl,
    clientId: options.clientId ?? 'necp-game',
    fetch: fetchWith,
    tokens: options.tokens,
    onTokens: options.onTokens,
  });
  const serviceClient = <P extends Paths>(): Client<P> => {
    const client = createClient<P>({ baseUrl: options.baseUrl, fetch: fetchWith });
    client.use(session.middleware);
    return client;
  };
  return {
    session,
    auth: serviceClient<AuthPaths>(),
    characters: serviceClient<CharacterPaths>(),
    gameplay: serviceClient<GameplayPaths>(),
    social: serviceClient<SocialPaths>(),
    economy: serviceClient<EconomyPaths>(),
    world: serviceClient<WorldPaths>(),
    stream: (streamOptions) => openStream(options.baseUrl, session, streamOptions),
  };
}
