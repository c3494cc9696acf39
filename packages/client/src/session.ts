import createClient, { type Middleware } from 'openapi-fetch';
import type { paths as AuthPaths } from './generated/auth.ts';

/** What a signed-in client holds: the access token it sends and the refresh token that renews it. */
export interface Tokens {
  accessToken: string;
  refreshToken: string | null;
}

export interface SessionOptions {
  baseUrl: string;
  /** The OAuth client the game signs in as: the public client `necp-game` unless the deployment names another. */
  clientId: string;
  fetch: typeof fetch;
  tokens?: Tokens | undefined;
  /** Called whenever the tokens change (sign-in, rotation, sign-out), so an app can keep them. */
  onTokens?: ((tokens: Tokens | null) => void) | undefined;
}

export interface Session {
  /** The current tokens, null when signed out. */
  readonly tokens: Tokens | null;
  /** The password grant as JSON (`POST /api/v1/auth/login`); throws the problem body when refused. */
  login(login: string, password: string): Promise<Tokens>;
  /** Rotates the refresh token once, however many requests ask at the same time. */
  refresh(): Promise<Tokens>;
  /** Ends the session at the server and forgets the tokens. */
  logout(): Promise<void>;
  /** Sends the access token; on a 401, refreshes once and retries the request with the new token. */
  readonly middleware: Middleware;
}

interface TokenAnswer {
  access_token: string;
  refresh_token?: string;
}

export function createSession(options: SessionOptions): Session {
  const auth = createClient<AuthPaths>({ baseUrl: options.baseUrl, fetch: options.fetch });
  let tokens: Tokens | null = options.tokens ?? null;
  let refreshing: Promise<Tokens> | undefined;
  // The requests' copies made before their bodies were read, so a refused one can be sent again.
  const retries = new WeakMap<Request, Request>();

  const keep = (answer: TokenAnswer): Tokens => {
    tokens = { accessToken: answer.access_token, refreshToken: answer.refresh_token ?? tokens?.refreshToken ?? null };
    options.onTokens?.(tokens);
    return tokens;
  };
  const forget = () => {
    tokens = null;
    options.onTokens?.(null);
  };

  const session: Session = {
    get tokens() {
      return tokens;
    },
    async login(login, password) {
      const { data, error } = await auth.POST('/api/v1/auth/login', { body: { login, password } });
      if (!data) throw error;
      return keep(data);
    },
    refresh() {
      refreshing ??= (async () => {
        const refreshToken = tokens?.refreshToken;
        if (!refreshToken) throw new Error('no refresh token: sign in first');
        const { data, error } = await auth.POST('/api/v1/auth/token', {
          body: { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: options.clientId },
        });
        if (!data) {
          forget();
          throw error;
        }
        return keep(data);
      })().finally(() => {
        refreshing = undefined;
      });
      return refreshing;
    },
    async logout() {
      const current = tokens;
      forget();
      if (!current?.refreshToken) return;
      await auth.POST('/api/v1/auth/logout', {
        headers: { authorization: `Bearer ${current.accessToken}` },
        body: { refresh_token: current.refreshToken },
      });
    },
    middleware: {
      onRequest({ request }) {
        if (tokens && !request.headers.has('authorization')) {
          request.headers.set('authorization', `Bearer ${tokens.accessToken}`);
        }
        if (tokens?.refreshToken) retries.set(request, request.clone());
        return request;
      },
      async onResponse({ request, response }) {
        const retry = retries.get(request);
        if (response.status !== 401 || !retry) return response;
        retries.delete(request);
        const renewed = await session.refresh().catch(() => undefined);
        if (!renewed) return response;
        retry.headers.set('authorization', `Bearer ${renewed.accessToken}`);
        return options.fetch(retry);
      },
    },
  };
  return session;
}
