export interface CallOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as `application/x-www-form-urlencoded` instead of `body` (the OAuth2 token endpoint). */
  form?: Record<string, string>;
  headers?: Record<string, string>;
}

export interface CallReply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely and check them with assertions
  body: any;
  headers: Headers;
}

/** The body as JSON when it is JSON, its text otherwise, undefined when empty. */
function bodyOf(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** One request over real HTTP, as a client (or another service) sends it. */
export async function callHttp(base: string, method: string, path: string, options: CallOptions = {}) {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const response = await fetch(`${base}${path}`, { method, headers: { ...headers, ...options.headers }, body });
  const reply: CallReply = { status: response.status, body: bodyOf(await response.text()), headers: response.headers };
  return reply;
}
