import { A, useParams } from '@solidjs/router';
import { createSignal, For, Match, Show, Switch } from 'solid-js';
import { Field, FormMessage } from '../components/field.tsx';
import { LiveRegion } from '../components/live-region.tsx';
import { Empty, ErrorState, errorMessage, Loading } from '../components/status.tsx';
import {
  createAction,
  createEventCursor,
  createGraphQLQuery,
  createGraphQLSubscription,
  issueFor,
  type MutationOutcome,
  refetchOnReconnect,
  runMutation,
} from '../lib/graphql.ts';
import { mutationDocument } from '../lib/operations.ts';
import { viewer } from '../lib/session.ts';
import { describeSchedule, formatLocal } from '../lib/time.ts';

const SESSION = `query LiveSession($id: ID!) { liveSession(id: $id) {
  id title descriptionHtml startsAt endsAt timeZone status joinUrl rsvpCount viewerRsvp eventCursor
  viewerCanManage viewerCanChat host { displayName } community { name slug }
  chatMessages(last: 50) { nodes { id body createdAt author { displayName } } } } }`;

interface ChatMessage {
  id: string;
  body: string;
  createdAt: string;
  author: { displayName: string } | null;
}

interface SessionData {
  liveSession: {
    id: string;
    title: string;
    descriptionHtml: string;
    startsAt: string;
    endsAt: string;
    timeZone: string;
    status: string;
    joinUrl: string | null;
    rsvpCount: number;
    viewerRsvp: string | null;
    eventCursor: string;
    viewerCanManage: boolean;
    viewerCanChat: boolean;
    host: { displayName: string } | null;
    community: { name: string; slug: string };
    chatMessages: { nodes: ChatMessage[] };
  } | null;
}

const STATUS_LABELS: Record<string, string> = {
  SCHEDULED: 'Scheduled',
  LIVE: 'Live now',
  ENDED: 'Ended',
  CANCELLED: 'Cancelled',
};

export default function LiveSessionPage() {
  const params = useParams();
  const id = () => decodeURIComponent(params.id ?? '');
  const page = createGraphQLQuery<SessionData, { id: string; viewerId: string | null }>(
    SESSION,
    () => ({ id: id(), viewerId: viewer()?.id ?? null }),
  );
  const session = () => page.data.latest?.liveSession;
  const eventCursor = createEventCursor(
    () => session()?.id ?? '',
    () => session()?.eventCursor,
  );
  const [liveMessages, setLiveMessages] = createSignal<ChatMessage[]>([]);
  const seenEvents = new Set<string>();
  const [announcement, setAnnouncement] = createSignal('');
  const [message, setMessage] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [outcome, setOutcome] = createSignal<MutationOutcome<unknown> | null>(null);

  // Messages that arrived live, minus those the last query already returned.
  const messages = () => {
    const loaded = session()?.chatMessages.nodes ?? [];
    const known = new Set(loaded.map((entry) => entry.id));
    return [...loaded, ...liveMessages().filter((entry) => !known.has(entry.id))];
  };

  createGraphQLSubscription<
    { liveSessionEvents: { eventId: string; type: string; chatMessage: ChatMessage | null } },
    { id: string; after: string }
  >(
    'subscription LiveSessionEvents($id: ID!, $after: String) { liveSessionEvents(liveSessionId: $id, after: $after) { eventId type chatMessage { id body createdAt author { displayName } } } }',
    () => {
      const after = eventCursor();
      const current = session();
      return after && current ? { id: current.id, after } : false;
    },
    (data) => {
      const event = data.liveSessionEvents;
      // A resubscription after a dropped socket replays from the page's first cursor.
      if (seenEvents.has(event.eventId)) {
        return;
      }
      seenEvents.add(event.eventId);
      if (event.type === 'CHAT_MESSAGE' && event.chatMessage) {
        const chatMessage = event.chatMessage;
        setLiveMessages((current) => [...current, chatMessage]);
        setAnnouncement(`${chatMessage.author?.displayName ?? 'Someone'}: ${chatMessage.body}`);
      } else {
        setAnnouncement('The session status changed.');
        page.refetch();
      }
    },
  );

  refetchOnReconnect(page.refetch);

  const { act, actionError } = createAction(page.refetch);

  return (
    <Switch>
      <Match when={page.data.error}>
        <ErrorState message={errorMessage(page.data.error)} onRetry={page.refetch} />
      </Match>
      <Match when={page.data.loading && !page.data.latest}>
        <Loading label="Loading the live session…" />
      </Match>
      <Match when={page.data.latest && !session()}>
        <section>
          <h1>Live session not found</h1>
          <p>It does not exist, or it is in a community you cannot see.</p>
        </section>
      </Match>
      <Match when={session()}>
        {(current) => (
          <article class="live-session">
            <LiveRegion message={announcement()} />
            <p class="breadcrumb">
              <A href={`/c/${current().community.slug}`}>{current().community.name}</A>
            </p>
            <h1>{current().title}</h1>
            <p class="meta">
              <span class="tag" classList={{ live: current().status === 'LIVE' }}>
                {STATUS_LABELS[current().status]}
              </span>
              {describeSchedule(current().startsAt, current().endsAt, current().timeZone)} · hosted
              by {current().host?.displayName ?? 'a former member'} · {current().rsvpCount} going
            </p>
            <div class="prose" innerHTML={current().descriptionHtml} />
            <div class="actions">
              <Show
                when={
                  current().joinUrl &&
                  current().status !== 'CANCELLED' &&
                  current().status !== 'ENDED'
                }
              >
                <a
                  class="button-link"
                  href={current().joinUrl ?? '#'}
                  target="_blank"
                  rel="noopener noreferrer"
                >
                  Open the meeting link
                </a>
              </Show>
              <Show
                when={viewer() && (current().status === 'SCHEDULED' || current().status === 'LIVE')}
              >
                <fieldset class="rsvp">
                  <legend>Are you going?</legend>
                  <For
                    each={[
                      ['GOING', 'Going'],
                      ['MAYBE', 'Maybe'],
                      ['NOT_GOING', 'Not going'],
                    ]}
                  >
                    {([status, label]) => (
                      <button
                        type="button"
                        class="secondary"
                        aria-pressed={current().viewerRsvp === status ? 'true' : 'false'}
                        onClick={() =>
                          act('rsvp', 'RsvpInput', { liveSessionId: current().id, status })
                        }
                      >
                        {label}
                      </button>
                    )}
                  </For>
                </fieldset>
              </Show>
              <Show when={current().viewerCanManage}>
                <Show when={current().status === 'SCHEDULED'}>
                  <button
                    type="button"
                    onClick={() =>
                      act('startLiveSession', 'LiveSessionIdInput', { liveSessionId: current().id })
                    }
                  >
                    Start session
                  </button>
                  <button
                    type="button"
                    class="secondary"
                    onClick={() =>
                      window.confirm('Cancel this session?') &&
                      act('cancelLiveSession', 'LiveSessionIdInput', {
                        liveSessionId: current().id,
                      })
                    }
                  >
                    Cancel session
                  </button>
                </Show>
                <Show when={current().status === 'LIVE'}>
                  <button
                    type="button"
                    onClick={() =>
                      act('endLiveSession', 'LiveSessionIdInput', { liveSessionId: current().id })
                    }
                  >
                    End session
                  </button>
                </Show>
              </Show>
            </div>
            <Show when={actionError()}>
              <p class="form-error" role="alert">
                {actionError()}
              </p>
            </Show>

            <section aria-labelledby="chat-heading" class="chat">
              <h2 id="chat-heading">Live chat</h2>
              <Show when={messages().length > 0} fallback={<Empty>No messages yet.</Empty>}>
                <ol class="chat-list" data-testid="chat-list">
                  <For each={messages()}>
                    {(entry) => (
                      <li>
                        <strong>{entry.author?.displayName ?? 'Deleted user'}</strong>{' '}
                        <time class="meta" datetime={entry.createdAt}>
                          {formatLocal(entry.createdAt)}
                        </time>
                        <p>{entry.body}</p>
                      </li>
                    )}
                  </For>
                </ol>
              </Show>
              <Show
                when={current().viewerCanChat}
                fallback={
                  <p class="meta">
                    {viewer()
                      ? 'Chat is open to members while the session is scheduled or live.'
                      : 'Sign in and join the community to chat.'}
                  </p>
                }
              >
                <form
                  onSubmit={async (event) => {
                    event.preventDefault();
                    setBusy(true);
                    const result = await runMutation(
                      mutationDocument('sendChatMessage', 'SendChatMessageInput', 'id'),
                      'sendChatMessage',
                      { liveSessionId: current().id, body: message() },
                    );
                    setBusy(false);
                    setOutcome(result);
                    if (result.data) {
                      setMessage('');
                    }
                  }}
                >
                  <Field
                    label="Message"
                    name="chat-message"
                    maxLength={2000}
                    value={message()}
                    onValue={setMessage}
                    error={issueFor(outcome(), 'body')}
                    data-testid="chat-body"
                  />
                  <FormMessage error={outcome()?.issues ? undefined : outcome()?.message} />
                  <button type="submit" disabled={busy()} data-testid="chat-submit">
                    Send
                  </button>
                </form>
              </Show>
            </section>
          </article>
        )}
      </Match>
    </Switch>
  );
}
