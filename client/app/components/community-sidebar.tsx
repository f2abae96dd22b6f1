import { A } from '@solidjs/router';
import { For, Show } from 'solid-js';
import { pluralize } from '../lib/plural.ts';
import { profilePath } from '../lib/profile.ts';
import { describeSchedule } from '../lib/time.ts';
import { NewBadgeForm, ScheduleForm } from './community-forms.tsx';
import { Empty } from './status.tsx';

export interface LiveSessionSummary {
  id: string;
  title: string;
  startsAt: string;
  endsAt: string;
  timeZone: string;
  status: string;
  rsvpCount: number;
  host: { displayName: string } | null;
}

/** The parts of a readable community that its sidebar shows. */
export interface CommunitySidebarData {
  id: string;
  slug: string;
  viewerCanPost: boolean;
  viewerCanModerate: boolean;
  upcomingLiveSessions: { nodes: LiveSessionSummary[] } | null;
  pastLiveSessions: { nodes: LiveSessionSummary[] } | null;
  badges: {
    nodes: {
      id: string;
      name: string;
      holderCount: number;
      isteStandards: { code: string; name: string }[];
    }[];
  } | null;
  members: {
    nodes: {
      id: string;
      role: string;
      user: { id: string; displayName: string; school: { name: string } | null };
    }[];
  } | null;
}

function LiveSessionList(props: { liveSessions: LiveSessionSummary[]; empty: string }) {
  return (
    <Show when={props.liveSessions.length > 0} fallback={<Empty>{props.empty}</Empty>}>
      <ul class="rows">
        <For each={props.liveSessions}>
          {(liveSession) => (
            <li>
              <A href={`/s/${encodeURIComponent(liveSession.id)}`}>{liveSession.title}</A>
              <Show when={liveSession.status === 'LIVE'}>
                <span class="tag live">Live now</span>
              </Show>
              <Show when={liveSession.status === 'CANCELLED'}>
                <span class="tag subtle">Cancelled</span>
              </Show>
              <p class="meta">
                {describeSchedule(liveSession.startsAt, liveSession.endsAt, liveSession.timeZone)} ·
                hosted by {liveSession.host?.displayName ?? 'a former member'} ·{' '}
                {pluralize(liveSession.rsvpCount, 'person', 'people')} going
              </p>
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}

/** Lists a community's live sessions, badges and members beside its threads. */
export function CommunitySidebar(props: {
  community: CommunitySidebarData;
  onChanged: () => void;
}) {
  return (
    <aside>
      <section aria-labelledby="sessions-heading">
        <h2 id="sessions-heading">Upcoming live sessions</h2>
        <LiveSessionList
          liveSessions={props.community.upcomingLiveSessions?.nodes ?? []}
          empty="Nothing scheduled."
        />
        <Show when={props.community.viewerCanPost}>
          <ScheduleForm communityId={props.community.id} onScheduled={props.onChanged} />
        </Show>
        <h2>Past live sessions</h2>
        <LiveSessionList
          liveSessions={props.community.pastLiveSessions?.nodes ?? []}
          empty="No past sessions."
        />
      </section>

      <section aria-labelledby="badges-heading">
        <h2 id="badges-heading">Badges</h2>
        <Show
          when={(props.community.badges?.nodes.length ?? 0) > 0}
          fallback={<Empty>No badges yet.</Empty>}
        >
          <ul class="rows">
            <For each={props.community.badges?.nodes}>
              {(badge) => (
                <li>
                  <A href={`/b/${encodeURIComponent(badge.id)}`}>{badge.name}</A>
                  <p class="meta">
                    ISTE{' '}
                    {badge.isteStandards
                      .map((standard) => `${standard.code} ${standard.name}`)
                      .join(', ')}{' '}
                    · {pluralize(badge.holderCount, 'holder')}
                  </p>
                </li>
              )}
            </For>
          </ul>
        </Show>
        <Show when={(props.community.badges?.nodes.length ?? 0) > 0}>
          <p>
            <A href={`/c/${props.community.slug}/badges`}>All badges, by kind and ISTE Standard</A>
          </p>
        </Show>
        <Show when={props.community.viewerCanModerate}>
          <NewBadgeForm communityId={props.community.id} onCreated={props.onChanged} />
        </Show>
      </section>

      <section aria-labelledby="members-heading">
        <h2 id="members-heading">Members</h2>
        <ul class="members">
          <For each={props.community.members?.nodes}>
            {(membership) => (
              <li>
                <A href={profilePath(membership.user.id)}>{membership.user.displayName}</A>
                <Show when={membership.role !== 'MEMBER'}>
                  <span class="tag subtle">{membership.role.toLowerCase()}</span>
                </Show>
                <Show when={membership.user.school}>
                  <span class="meta"> · {membership.user.school?.name}</span>
                </Show>
              </li>
            )}
          </For>
        </ul>
      </section>
    </aside>
  );
}
