import type { FastifyRequest } from 'fastify';

/**
 * Bodies the gateway had to read before forwarding (a rate rule keyed by the login name or the
 * character id): the request's own stream is spent, so the forwarding side sends these bytes.
 */
const bodies = new WeakMap<FastifyRequest, Buffer>();

export function keepBufferedBody(request: FastifyRequest, body: Buffer): void {
  bodies.set(request, body);
}

export function bufferedBody(request: FastifyRequest): Buffer | undefined {
  return bodies.get(request);
}
