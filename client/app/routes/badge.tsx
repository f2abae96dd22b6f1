import { A, useLocation, useParams } from '@solidjs/router';
import { createEffect, createSignal, For, Match, Show, Switch } from 'solid-js';
import { AwardBadgeForm } from '../components/award-badge-form.tsx';
import { BadgeRules } from '../components/badge-rules.tsx';
import { CredentialDownload } from '../components/credential-download.tsx';
import { BadgeEvidence } from '../components/evidence-history.tsx';
import { Field, FormMessage } from '../components/field.tsx';
import { type OwnAward, OwnAwards } from '../components/own-awards.tsx';
import '../components/badge-image.css';
import { Empty, ErrorState, Loading, RefreshError } from '../components/status.tsx';
import { createGraphQLQuery, runMutation } from '../lib/graphql.ts';
import { ERROR_SELECTION } from '../lib/operations.ts';
import { OWN_AWARDS_ANCHOR, profilePath } from '../lib/profile.ts';
import { viewer, viewerLoaded } from '../lib/session.ts';
import { createSubmission } from '../lib/submission.ts';
import { formatLocal } from '../lib/time.ts';
import { createDocumentTitle } from '../lib/title.ts';

const BADGE = `query Badge($id: ID!) { badge(id: $id) {
  id name description criteriaHtml holderCount kind validForDays viewerCanManage imageUrl
  community { name slug members(first: 100) { nodes { user { id displayName } } } }
  district { name slug staff(first: 100) { nodes { id displayName } } }
  alignments { id code name summary framework { id name } }
  viewerAwards(first: 20) { nodes { id status awardedAt expiresAt revokedAt revokeReason note } }
  holders(first: 100) { nodes { id awardedAt expiresAt recipient { id displayName school { name } } } } } }`;

interface BadgeData {
  badge: {
    id: string;
    name: string;
    description: string;
    criteriaHtml: string;
    imageUrl: string;
    holderCount: number;
    kind: 'PARTICIPATION' | 'MICROCREDENTIAL';
    validForDays: number | null;
    viewerCanManage: boolean;
    community: {
      name: string;
      slug: string;
      members: { nodes: { user: { id: string; displayName: string } }[] } | null;
    } | null;
    district: {
      name: string;
      slug: string;
      // Null unless the viewer administers the district.
      staff: { nodes: { id: string; displayName: string }[] } | null;
    } | null;
    alignments: {
      id: string;
      code: string;
      name: string;
      summary: string;
      framework: { id: string; name: string };
    }[];
    viewerAwards: { nodes: OwnAward[] };
    holders: {
      nodes: {
        id: string;
        awardedAt: string;
        expiresAt: string | null;
        recipient: { id: string; displayName: string; school: { name: string } | null };
      }[];
    };
  } | null;
}

export default function BadgePage() {
  const params = useParams();
  // Waiting for the viewer avoids loading the page once signed out and again signed in.
  const page = createGraphQLQuery<BadgeData, { id: string; viewerId: string | null }>(
    BADGE,
    () =>
      viewerLoaded() && {
        id: decodeURIComponent(params.id ?? ''),
        viewerId: viewer()?.id ?? null,
      },
  );
  const badge = () => page.data()?.badge;
  createDocumentTitle(() => badge()?.name);
  const location = useLocation();
  // A notification links to the viewer's own awards; the section exists once the badge loaded.
  createEffect(() => {
    if (badge() && location.hash === `#${OWN_AWARDS_ANCHOR}`) {
      document.getElementById(OWN_AWARDS_ANCHOR)?.scrollIntoView();
    }
  });

  return (
    <Switch>
      <Match when={!page.data() && page.error()}>
        {(message) => <ErrorState message={message()} onRetry={page.refetch} />}
      </Match>
      <Match when={!page.data()}>
        <Loading label="Loading the badge…" />
      </Match>
      <Match when={!badge()}>
        <section>
          <h1>Badge not found</h1>
          <p>It does not exist, or it is in a community you cannot see.</p>
          <p>
            <A href="/">Back to the communities</A>
          </p>
        </section>
      </Match>
      <Match when={badge()}>
        {(current) => (
          <article>
            <RefreshError message={page.error()} onRetry={page.refetch} />
            <p class="breadcrumb">
              <Show when={current().community}>
                {(community) => <A href={`/c/${community().slug}`}>{community().name}</A>}
              </Show>
              <Show when={current().district}>{(district) => <>Badge of {district().name}</>}</Show>
            </p>
            <div class="badge-heading">
              {/* Decorative: the badge's name is beside it. */}
              <img src={current().imageUrl} alt="" width="72" height="72" />
              <h1>{current().name}</h1>
            </div>
            <p class="lead">{current().description}</p>
            <p class="meta" data-testid="badge-kind">
              {current().kind === 'MICROCREDENTIAL' ? 'Microcredential' : 'Participation badge'}
              {current().validForDays
                ? ` · valid for ${current().validForDays} ${current().validForDays === 1 ? 'day' : 'days'} after it is awarded`
                : ''}
            </p>
            <OwnAwards awards={current().viewerAwards.nodes} />
            <h2>Aligned standards</h2>
            <For each={frameworksOf(current().alignments)}>
              {(group) => (
                <section aria-label={group.name}>
                  <h3>{group.name}</h3>
                  <ul class="rows">
                    <For each={group.standards}>
                      {(standard) => (
                        <li>
                          <strong>
                            {standard.code} {standard.name}
                          </strong>
                          <p class="meta">{standard.summary}</p>
                        </li>
                      )}
                    </For>
                  </ul>
                </section>
              )}
            </For>
            <h2>Criteria</h2>
            <div class="prose" innerHTML={current().criteriaHtml} />
            <BadgeRules badgeId={current().id} onChanged={page.refetch} />
            <Show when={current().kind === 'MICROCREDENTIAL'}>
              <BadgeEvidence badgeId={current().id} onChanged={page.refetch} />
            </Show>
            <Show when={current().viewerCanManage}>
              <AwardBadgeForm
                badgeId={current().id}
                members={
                  current().district?.staff?.nodes ??
                  (current().community?.members?.nodes ?? []).map((node) => node.user)
                }
                onAwarded={page.refetch}
              />
            </Show>
            <h2>Holders ({current().holderCount})</h2>
            <Show
              when={current().holders.nodes.length > 0}
              fallback={<Empty>Nobody holds this badge yet.</Empty>}
            >
              <ul class="rows">
                <For each={current().holders.nodes}>
                  {(award) => (
                    <li data-testid="holder">
                      <A href={profilePath(award.recipient.id)}>{award.recipient.displayName}</A>
                      <span class="meta">
                        {award.recipient.school ? ` · ${award.recipient.school.name}` : ''} ·
                        awarded {formatLocal(award.awardedAt)}
                        {award.expiresAt ? ` · valid until ${formatLocal(award.expiresAt)}` : ''}
                      </span>
                      <Show when={award.recipient.id === viewer()?.id}>
                        <CredentialDownload
                          awardId={award.id}
                          badgeName={current().name}
                          imageUrl={current().imageUrl}
                        />
                      </Show>
                      <Show when={current().viewerCanManage}>
                        <RevokeAward
                          awardId={award.id}
                          recipientName={award.recipient.displayName}
                          onRevoked={page.refetch}
                        />
                      </Show>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          </article>
        )}
      </Match>
    </Switch>
  );
}

type Alignment = NonNullable<BadgeData['badge']>['alignments'][number];

/** Groups a badge's aligned standards by framework, keeping their order. */
function frameworksOf(alignments: Alignment[]): { name: string; standards: Alignment[] }[] {
  const groups = new Map<string, { name: string; standards: Alignment[] }>();
  for (const alignment of alignments) {
    const group = groups.get(alignment.framework.id) ?? {
      name: alignment.framework.name,
      standards: [],
    };
    group.standards.push(alignment);
    groups.set(alignment.framework.id, group);
  }
  return [...groups.values()];
}

const REVOKE = `mutation RevokeBadgeAward($input: RevokeBadgeAwardInput!) { revokeBadgeAward(input: $input) {
  __typename ${ERROR_SELECTION} ... on MutationRevokeBadgeAwardSuccess { data { id status } } } }`;

/** Revokes one holder's award after asking for the reason the recipient will see. */
function RevokeAward(props: { awardId: string; recipientName: string; onRevoked: () => void }) {
  const [open, setOpen] = createSignal(false);
  const [reason, setReason] = createSignal('');
  const submission = createSubmission(['reason']);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const outcome = await submission.submit(() =>
      runMutation(REVOKE, 'revokeBadgeAward', { awardId: props.awardId, reason: reason().trim() }),
    );
    if (!outcome.message) {
      setOpen(false);
      props.onRevoked();
    }
  };

  return (
    <Show
      when={open()}
      fallback={
        <button
          type="button"
          class="link-button"
          onClick={() => {
            setOpen(true);
            // The form is rendered synchronously, so the reason field can take focus at once.
            document.getElementById(`field-revoke-reason-${props.awardId}`)?.focus();
          }}
        >
          Revoke<span class="visually-hidden"> {props.recipientName}'s award</span>
        </button>
      }
    >
      <form class="revoke-form" onSubmit={submit} novalidate>
        <Field
          label={`Why revoke ${props.recipientName}'s award? They will see this.`}
          name={`revoke-reason-${props.awardId}`}
          required
          maxLength={500}
          value={reason()}
          onValue={setReason}
          error={submission.issue('reason')}
        />
        <FormMessage error={submission.formError()} />
        <div class="actions">
          <button type="submit" class="danger" disabled={submission.busy()}>
            Revoke the award
          </button>
          <button type="button" class="secondary" onClick={() => setOpen(false)}>
            Cancel
          </button>
        </div>
      </form>
    </Show>
  );
}
