import { WidgetCommunityActivity, WidgetCommunityFeed } from 'virtual:embed-operation-ids';
import { For, Show } from 'solid-js';
import { createWidget, currentMinute, type WidgetProps } from '../runtime/context.ts';
import { defineWidget } from '../runtime/define.tsx';
import {
  countOf,
  excerptFromHtml,
  formatDateTime,
  formatRelative,
  parseItems,
} from '../runtime/format.ts';
import { createLiveUpdates } from '../runtime/live-updates.ts';
import { createPersistedQuery } from '../runtime/query.ts';
import { StaffroomLink, WidgetShell } from '../runtime/shell.tsx';
import css from './feed.css?inline';

interface Person {
  id: string;
  displayName: string;
}

interface FeedThread {
  id: string;
  title: string;
  kind: 'DISCUSSION' | 'QUESTION' | 'ANNOUNCEMENT';
  pinned: boolean;
  locked: boolean;
  replyCount: number;
  createdAt: string;
  lastActivityAt: string;
  author: Person | null;
  /** The newest reply that is not deleted, at any depth. */
  latestReply: {
    id: string;
    bodyHtml: string;
    createdAt: string;
    author: Person | null;
  } | null;
}

interface FeedData {
  community: {
    id: string;
    slug: string;
    name: string;
    visibility: string;
    viewerCanRead: boolean;
    eventCursor: string | null;
    threads: { nodes: FeedThread[] } | null;
  } | null;
}

const EXCERPT_LENGTH = 160;
/** Activity types after which the list of threads changes, with what to announce. */
const FEED_EVENTS: Record<string, string> = {
  THREAD_CREATED: 'New thread posted.',
  REPLY_POSTED: 'New reply posted.',
  THREAD_REMOVED: 'A moderator removed a thread.',
  POST_REMOVED: 'A moderator removed a reply.',
  THREAD_RESTORED: '',
  POST_RESTORED: '',
};

/** `<staffroom-feed>`: a community's latest threads, each with its latest reply. */
function Feed(props: WidgetProps) {
  const widget = createWidget(props);
  const slug = () => (props.community ?? '').trim();
  const query = createPersistedQuery<FeedData>(widget, () =>
    widget.key() && slug()
      ? {
          operation: { name: 'WidgetCommunityFeed', id: WidgetCommunityFeed },
          variables: { slug: slug(), first: parseItems(props.items, 5, 1, 20) },
        }
      : null,
  );
  const community = () => query.data()?.community;
  const threads = () => (community()?.viewerCanRead ? (community()?.threads?.nodes ?? []) : []);

  const live = createLiveUpdates(
    widget,
    () => {
      const current = community();
      return current?.viewerCanRead
        ? {
            operation: { name: 'WidgetCommunityActivity', id: WidgetCommunityActivity },
            variables: { communityId: current.id },
            cursor: current.eventCursor,
          }
        : null;
    },
    {
      onEvent: (data) => {
        const type = (data.communityActivity as { type?: string } | null)?.type ?? '';
        const announcement = FEED_EVENTS[type];
        if (announcement !== undefined) {
          void query.refetch().then(() => announcement && widget.announce(announcement));
        }
      },
      onResync: () => void query.refetch(),
      onReconnectFailed: () => void query.refetch(),
    },
  );

  return (
    <WidgetShell
      widget={widget}
      title={community()?.name ? `Latest in ${community()?.name}` : 'Latest discussions'}
      openHref={widget.link(slug() ? `/c/${encodeURIComponent(slug())}` : '/')}
      configError={
        (!widget.key() || !slug()) &&
        'This widget needs an embed-key and a community attribute to show a feed.'
      }
      loading={query.loading()}
      failure={query.failure()}
      retrying={query.retrying()}
      onRetry={query.retryNow}
      hasData={query.data() !== undefined}
      unavailable={
        !community()?.viewerCanRead &&
        (widget.token()
          ? 'This community is not available to you here.'
          : 'This community is not available here. Its members can sign in to see it.')
      }
      empty={threads().length === 0 && 'No threads yet.'}
      offerSignIn={!community()?.viewerCanRead}
      live={live}
    >
      <ul class="list">
        <For each={threads()}>
          {(thread) => <ThreadItem thread={thread} locale={widget.locale()} link={widget.link} />}
        </For>
      </ul>
    </WidgetShell>
  );
}

function ThreadItem(props: {
  thread: FeedThread;
  locale: string | undefined;
  link: (path: string) => string;
}) {
  return (
    <li>
      <h3 class="item-title">
        <StaffroomLink href={props.link(`/t/${encodeURIComponent(props.thread.id)}`)}>
          {props.thread.title}
        </StaffroomLink>
      </h3>
      <p class="meta">
        <Show when={props.thread.pinned}>
          <span class="tag">Pinned</span>
        </Show>
        <Show when={props.thread.kind !== 'DISCUSSION'}>
          <span class="tag">{props.thread.kind === 'QUESTION' ? 'Question' : 'Announcement'}</span>
        </Show>
        <span>{props.thread.author?.displayName ?? 'Former member'}</span>
        <span>{countOf(props.thread.replyCount, props.locale, 'reply', 'replies')}</span>
        <TimeAgo instant={props.thread.lastActivityAt} locale={props.locale} />
      </p>
      <Show when={props.thread.latestReply}>
        {(latest) => (
          <blockquote class="reply">
            <p>{excerptFromHtml(latest().bodyHtml, EXCERPT_LENGTH)}</p>
            <footer class="meta">
              <span>Latest reply by {latest().author?.displayName ?? 'a former member'}</span>
              <TimeAgo instant={latest().createdAt} locale={props.locale} />
            </footer>
          </blockquote>
        )}
      </Show>
    </li>
  );
}

function TimeAgo(props: { instant: string; locale: string | undefined }) {
  return (
    <time datetime={props.instant} title={formatDateTime(props.instant, props.locale)}>
      {formatRelative(props.instant, props.locale, currentMinute())}
    </time>
  );
}

defineWidget('staffroom-feed', css, Feed);
