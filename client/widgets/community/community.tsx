import { WidgetCommunityActivity, WidgetCommunityCard } from 'virtual:embed-operation-ids';
import { Show } from 'solid-js';
import { createWidget, type WidgetProps } from '../runtime/context.ts';
import { defineWidget } from '../runtime/define.tsx';
import { countOf, excerptFromHtml } from '../runtime/format.ts';
import { createLiveUpdates } from '../runtime/live-updates.ts';
import { createPersistedQuery } from '../runtime/query.ts';
import { StaffroomLink, WidgetShell } from '../runtime/shell.tsx';
import css from './community.css?inline';

type FocusArea = 'STEM' | 'LITERACY' | 'LEADERSHIP' | 'CRISIS_PREPAREDNESS' | 'OTHER';

interface CardData {
  community: {
    id: string;
    slug: string;
    name: string;
    description: string;
    descriptionHtml: string;
    focus: FocusArea;
    visibility: 'PUBLIC' | 'DISTRICT' | 'PRIVATE';
    memberCount: number;
    threadCount: number | null;
    viewerCanJoin: boolean;
    viewerCanRead: boolean;
    eventCursor: string | null;
    district: { name: string } | null;
  } | null;
}

const FOCUS_LABELS: Record<FocusArea, string> = {
  STEM: 'STEM',
  LITERACY: 'Literacy',
  LEADERSHIP: 'Leadership',
  CRISIS_PREPAREDNESS: 'Crisis preparedness',
  OTHER: 'Other focus',
};

const VISIBILITY_LABELS = {
  PUBLIC: 'Open to everyone',
  DISTRICT: 'District staff',
  PRIVATE: 'Members only',
};

const DESCRIPTION_LENGTH = 280;

/** `<staffroom-community>`: a community's card with a link to join it in Staffroom. */
function Community(props: WidgetProps) {
  const widget = createWidget(props);
  const slug = () => (props.community ?? '').trim();
  const query = createPersistedQuery<CardData>(widget, () =>
    widget.key() && slug()
      ? {
          operation: { name: 'WidgetCommunityCard', id: WidgetCommunityCard },
          variables: { slug: slug() },
        }
      : null,
  );
  const community = () => query.data()?.community;
  const communityPath = () => `/c/${encodeURIComponent(community()?.slug ?? slug())}`;

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
      // Counts change with new threads, replies and members; a refetch reads them all.
      onEvent: () => void query.refetch(),
      onResync: () => void query.refetch(),
      onReconnectFailed: () => void query.refetch(),
    },
  );

  return (
    <WidgetShell
      widget={widget}
      title={community()?.name ?? 'Staffroom community'}
      openHref={widget.link(slug() ? communityPath() : '/')}
      configError={
        (!widget.key() || !slug()) &&
        'This widget needs an embed-key and a community attribute to show a community.'
      }
      loading={query.loading()}
      failure={query.failure()}
      retrying={query.retrying()}
      onRetry={query.retryNow}
      hasData={query.data() !== undefined}
      unavailable={
        !community() &&
        (widget.token()
          ? 'This community is not available to you here.'
          : 'This community is not available here. Its members can sign in to see it.')
      }
      offerSignIn={!community()}
      live={community()?.viewerCanRead ? live : undefined}
    >
      <Show when={community()}>
        {(current) => (
          <div class="card">
            <p class="tags">
              <span class="tag">{FOCUS_LABELS[current().focus]}</span>
              <span class="tag">{VISIBILITY_LABELS[current().visibility]}</span>
            </p>
            <Show when={current().district}>
              {(district) => <p class="muted">{district().name}</p>}
            </Show>
            <p class="description">
              {excerptFromHtml(current().descriptionHtml, DESCRIPTION_LENGTH)}
            </p>
            <p class="meta">
              <span>{countOf(current().memberCount, widget.locale(), 'member')}</span>
              <Show when={current().threadCount !== null}>
                <span>{countOf(current().threadCount ?? 0, widget.locale(), 'thread')}</span>
              </Show>
            </p>
            <p>
              <StaffroomLink href={widget.link(communityPath())} class="button primary">
                Join in Staffroom
              </StaffroomLink>
            </p>
          </div>
        )}
      </Show>
    </WidgetShell>
  );
}

defineWidget('staffroom-community', css, Community);
