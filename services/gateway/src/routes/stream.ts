import websocket from '@fastify/websocket';
import { AppError, authOf, type HttpApp, problems, Uuid } from '@necp/platform';
import type { FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { Compile } from 'typebox/compile';
import type { RawData } from 'ws';
import type { GatewayDeps } from '../settings.ts';
import type { StreamHub } from '../stream/hub.ts';

export const StreamPath = '/api/v1/stream';
/** The subprotocol the gateway answers with; a browser offers it beside `bearer.<token>`. */
export const StreamProtocol = 'necp.stream.v1';
/** How a token rides in `Sec-WebSocket-Protocol`, where a browser cannot set `Authorization`. */
export const BearerProtocolPrefix = 'bearer.';

const District = Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' });

const StreamQuery = Type.Object(
  {
    access_token: Type.Optional(Type.String({ minLength: 1, maxLength: 8192 })),
    since: Type.Optional(Uuid),
    districts: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}(,[a-z][a-z0-9_]{0,63}){0,31}$' })),
  },
  { additionalProperties: false },
);

/** The one message a client sends: the districts whose world updates it wants (null: all). */
const ClientMessage = Type.Object(
  {
    type: Type.Literal('subscribe'),
    districts: Type.Union([Type.Array(District, { maxItems: 32, uniqueItems: true }), Type.Null()]),
  },
  { additionalProperties: false },
);
const clientMessage = Compile(ClientMessage);

/**
 * The stream's token where a browser can put it (`Sec-WebSocket-Protocol: necp.stream.v1,
 * bearer.<token>`, or `?access_token=`), as the bearer token the edge verifies for every request:
 * signature, claims, deny-list and per-account rate, then 401/403 before any upgrade.
 */
export function liftStreamToken(request: FastifyRequest): void {
  if (request.headers.authorization !== undefined) return;
  if ((request.url.split('?')[0] ?? '') !== StreamPath) return;
  const offered = String(request.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((protocol) => protocol.trim())
    .find((protocol) => protocol.startsWith(BearerProtocolPrefix));
  const token =
    offered?.slice(BearerProtocolPrefix.length) ?? new URL(request.url, 'http://edge').searchParams.get('access_token');
  if (token) request.headers.authorization = `Bearer ${token}`;
}

/** Picks the stream's subprotocol, never echoing the token offered beside it. */
export function chooseProtocol(protocols: Set<string>): string | false {
  return protocols.has(StreamProtocol) ? StreamProtocol : false;
}

function districtsOf(value: string | undefined): ReadonlySet<string> | null {
  return value ? new Set(value.split(',')) : null;
}

function onClientMessage(stream: StreamHub, connection: ReturnType<StreamHub['attach']>, data: RawData): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(data));
  } catch {
    parsed = undefined;
  }
  if (!clientMessage.Check(parsed)) {
    connection.control('error', { detail: 'expected {"type":"subscribe","districts":[…] | null}' });
    return;
  }
  const message: Static<typeof ClientMessage> = parsed;
  stream.subscribe(connection, message.districts ? new Set(message.districts) : null);
}

/**
 * `GET /api/v1/stream`: the realtime push (shared/API.md §8). The edge has verified the caller
 * before the upgrade; the socket then receives `{seq, topic, event}` messages (and `{seq, control}`
 * ones: `ready`, `subscribed`, `error`) as the hub fans events out.
 */
export function streamRoutes(app: HttpApp, { stream }: GatewayDeps): void {
  app.route({
    method: 'GET',
    url: StreamPath,
    schema: {
      tags: ['realtime'],
      summary: 'The realtime stream (a WebSocket upgrade)',
      description:
        'Upgrades to a WebSocket. The token rides in `Sec-WebSocket-Protocol` (offer `necp.stream.v1` and ' +
        '`bearer.<access token>`), in `Authorization`, or in `access_token`. `since`: the last event id the ' +
        'client saw, to receive what it missed (within the replay window); `districts`: the only districts ' +
        'whose world updates it wants. Without an upgrade the route answers 400.',
      // The edge verifies the token (from the subprotocol, the query or Authorization) before the upgrade.
      security: [{ bearer: [] }],
      querystring: StreamQuery,
      response: {
        101: Type.Null({ description: 'Switching Protocols: the WebSocket is open' }),
        // 431: a token in the query makes the request line long enough to pass the server's header limit.
        ...problems(400, 401, 403, 431),
      },
    },
    handler: async () => {
      throw new AppError('VALIDATION_ERROR', `${StreamPath} is a WebSocket: send an upgrade request`);
    },
    wsHandler: (socket, request) => {
      const query = request.query as Static<typeof StreamQuery>;
      const connection = stream.attach(socket, request.raw.socket, authOf(request), {
        districts: districtsOf(query.districts),
        since: query.since,
      });
      socket.on('message', (data) => onClientMessage(stream, connection, data));
    },
  });
}

/**
 * WebSocket upgrades on the whole app (before the route groups, so the stream route is one): an
 * upgrade runs through the same hooks as any request, the edge's included, and is refused with an
 * HTTP problem before it is accepted; an upgrade to any other route is closed. The server closes
 * its sockets as going away when it stops.
 */
export async function streamUpgrades(app: HttpApp, { stream, settings }: GatewayDeps): Promise<void> {
  await app.register(websocket, {
    options: {
      maxPayload: settings.STREAM_CLIENT_MESSAGE_MAX_BYTES,
      handleProtocols: chooseProtocol,
      perMessageDeflate: false,
    },
    preClose(done) {
      stream.closeAll();
      this.websocketServer.close();
      done();
    },
  });
}
