import { encodeGlobalID } from '@pothos/plugin-relay';
import type { EventRow } from '../../server/pubsub/event-hub.ts';
import type { builder } from '../builder.ts';
import { payloadId } from './stream.ts';

/**
 * Events of a moderator's removal or restoration of a thread or post, on the thread's topic and
 * the community's. An approved held thread or post also sends the RESTORED type, since it shows
 * from then on.
 */
export const CONTENT_REMOVAL_EVENT_TYPES = [
  'post_removed',
  'post_restored',
  'thread_removed',
  'thread_restored',
] as const;

type FieldBuilder = Parameters<
  Parameters<ReturnType<typeof builder.objectRef<EventRow>>['implement']>[0]['fields'] & object
>[0];

/**
 * Builds the fields with the ids of the thread and post an event names. They are given even when
 * the viewer may no longer load the row itself, so that a screen can drop removed content by id.
 */
export function contentEventIdFields(t: FieldBuilder) {
  return {
    threadId: t.id({
      nullable: true,
      description:
        'The global id of the Thread the event concerns, when it concerns one; given even when the thread itself is hidden from the viewer.',
      resolve: (event: EventRow) => {
        const id = event.topic.startsWith('thread:')
          ? Number(event.topic.slice('thread:'.length))
          : payloadId(event, 'threadId');
        return id === null ? null : encodeGlobalID('Thread', id);
      },
    }),
    postId: t.id({
      nullable: true,
      description:
        'The global id of the Post the event concerns, when it concerns one; given even when the post itself is hidden from the viewer.',
      resolve: (event: EventRow) => {
        const id = payloadId(event, 'postId');
        return id === null ? null : encodeGlobalID('Post', id);
      },
    }),
  };
}
