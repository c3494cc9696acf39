import { type TopicPayload, TopicPayloads } from '@necp/contracts';
import type { BusRecord, Subscription } from '@necp/platform';
import { Compile } from 'typebox/compile';
import { CharacterTopics, DenialTopics, WorldTopics } from '../domain/stream-audience.ts';
import type { GatewayDeps } from '../settings.ts';

const revoked = Compile(TopicPayloads['auth.session.revoked']);
const banned = Compile(TopicPayloads['auth.account.banned']);

/**
 * Every event the stream pushes, and the denials that end sockets, in a consumer group of this
 * replica's own: on Kafka every replica receives every event (groups share nothing), starting from
 * what is published once it runs; on the in-process bus the subscription is this gateway's alone.
 * Nothing is stored, so nothing needs deduplicating beyond what a socket's client does by event id.
 */
export function streamEventsConsumer({ stream, instanceId }: GatewayDeps): Subscription {
  return {
    group: `gateway.stream.${instanceId}`,
    topics: [...WorldTopics, ...CharacterTopics, ...DenialTopics],
    startAt: 'latest',
    async handle(record: BusRecord) {
      const { payload } = record.envelope;
      if (record.topic === 'auth.session.revoked') {
        if (revoked.Check(payload)) stream.endSession((payload as TopicPayload<'auth.session.revoked'>).sessionId);
      } else if (record.topic === 'auth.account.banned') {
        if (banned.Check(payload)) stream.endAccount((payload as TopicPayload<'auth.account.banned'>).accountId);
      } else {
        await stream.deliver(record);
      }
    },
  };
}
