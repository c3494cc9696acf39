import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorCode } from '@necp/contracts';
import type { RouteOptions } from 'fastify';
import type { Logger } from 'pino';
import { buildProblem, PROBLEM_CONTENT_TYPE } from '../problem.ts';

/**
 * Refusals that happen before a route runs, each answered as a problem like any other: a known
 * path asked with another method (405 with `Allow`), and what Node's HTTP parser refuses before
 * Fastify sees a request (431 headers too large, 408 a request too slow to arrive, 400 text that is
 * not HTTP).
 */

function templatePattern(url: string): RegExp {
  const segments = url.split('/').map((segment) => {
    if (segment === '*') return '.*';
    if (segment.includes(':')) return '[^/]+';
    return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${segments.join('/')}$`);
}

/** The routes of a service by path template: which methods a path takes. */
export function createRouteTable() {
  const routes: { pattern: RegExp; methods: string[] }[] = [];
  const statics = new Map<string, Set<string>>();
  const sorted = (methods: Iterable<string>) => [...new Set(methods)].sort();
  return {
    /** An `onRoute` hook: records each route as it is added. */
    record(route: RouteOptions): void {
      // A route for every path (CORS's preflight `OPTIONS *`) says nothing about which resource exists.
      if (route.url === '*' || route.url === '/*') return;
      const methods = [route.method].flat().map((method) => method.toUpperCase());
      if (methods.includes('GET')) methods.push('HEAD');
      routes.push({ pattern: templatePattern(route.url), methods });
      if (!/[:*]/.test(route.url)) {
        const known = statics.get(route.url) ?? new Set<string>();
        for (const method of methods) known.add(method);
        statics.set(route.url, known);
      }
    },
    /**
     * The methods routed at `path`, sorted; empty for a path no route takes. A route with exactly
     * that path answers for it alone, as the router prefers it to a sibling with a parameter.
     */
    methodsAt(path: string): string[] {
      const exact = statics.get(path);
      if (exact) return sorted(exact);
      return sorted(routes.filter((route) => route.pattern.test(path)).flatMap((route) => route.methods));
    },
    /**
     * The methods of the route whose path is exactly `path` (`/characters/reference`), sorted; empty
     * when no route has that path. A method that only a sibling with a parameter takes
     * (`PATCH /characters/:characterId`) is a wrong method at that resource, not a bad id.
     */
    staticMethodsAt(path: string): string[] {
      return sorted(statics.get(path) ?? []);
    },
  };
}

export type RouteTable = ReturnType<typeof createRouteTable>;

function rawProblem(status: number, code: ErrorCode, detail: string): string {
  const body = JSON.stringify(buildProblem(code, detail, '0'.repeat(32), { status }));
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    `Content-Type: ${PROBLEM_CONTENT_TYPE}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/** Fastify's `clientErrorHandler`: what Node's parser refused, answered as a problem; the connection closes. */
export function clientErrorHandler(logger: Logger) {
  return (error: NodeJS.ErrnoException, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    logger.debug({ err: error }, 'client error');
    const answer =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? rawProblem(431, 'HEADERS_TOO_LARGE', 'The request line and headers are larger than the server reads')
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? rawProblem(408, 'REQUEST_TIMEOUT', 'The request did not arrive in time')
          : rawProblem(400, 'VALIDATION_ERROR', 'The request is not well-formed HTTP/1.1');
    if (socket.writable) socket.end(answer, () => socket.destroy());
    else socket.destroy();
  };
}
