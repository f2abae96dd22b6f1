import { A, useParams } from '@solidjs/router';
import { createSignal, For, Match, Show, Switch } from 'solid-js';
import {
  EvidenceHistory,
  type EvidenceSubmissionData,
  type ReviewDecision,
  RevisionView,
  STATUS_LABELS,
  SUBMISSION_HISTORY_FIELDS,
} from '../components/evidence-history.tsx';
import { FormMessage } from '../components/field.tsx';
import { refreshReviewCount } from '../components/review-queue-link.tsx';
import { Empty, ErrorState, Loading, RefreshError } from '../components/status.tsx';
import { createGraphQLQuery, type MutationOutcome, runMutation } from '../lib/graphql.ts';
import { mutationDocument } from '../lib/operations.ts';
import { pluralize } from '../lib/plural.ts';
import { signInPath, viewer, viewerLoaded } from '../lib/session.ts';
import { formatLocal } from '../lib/time.ts';
import { createDocumentTitle } from '../lib/title.ts';

/** Largest number of waiting submissions the queue page lists at once. */
const QUEUE_PAGE_SIZE = 50;

const QUEUE = `query ReviewQueue { reviewQueue(first: ${QUEUE_PAGE_SIZE}) { totalCount nodes {
  id updatedAt submitter { displayName } latestRevision { number }
  badge { id name community { name } district { name } } } } }`;

interface QueueData {
  reviewQueue: {
    totalCount: number;
    nodes: {
      id: string;
      updatedAt: string;
      submitter: { displayName: string };
      latestRevision: { number: number };
      badge: {
        id: string;
        name: string;
        community: { name: string } | null;
        district: { name: string } | null;
      };
    }[];
  };
}

const SUBMISSION = `query ReviewSubmission($id: ID!) { node(id: $id) { ... on EvidenceSubmission {
  ${SUBMISSION_HISTORY_FIELDS} viewerCanReview submitter { id displayName }
  badge { id name criteriaHtml community { name } district { name } } } } }`;

interface SubmissionData {
  node:
    | (EvidenceSubmissionData & {
        viewerCanReview: boolean;
        submitter: { id: string; displayName: string };
        badge: {
          id: string;
          name: string;
          criteriaHtml: string;
          community: { name: string } | null;
          district: { name: string } | null;
        };
      })
    | null;
}

const REVIEW = mutationDocument('reviewEvidence', 'ReviewEvidenceInput', 'id status');

/** Describes how long something has waited, such as "3 days" or "less than a minute". */
export function waitingTime(since: string, now = Date.now()): string {
  const minutes = Math.floor((now - new Date(since).getTime()) / 60_000);
  if (minutes < 1) {
    return 'less than a minute';
  }
  if (minutes < 60) {
    return pluralize(minutes, 'minute');
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 48) {
    return pluralize(hours, 'hour');
  }
  return pluralize(Math.floor(hours / 24), 'day');
}

const issuerName = (badge: {
  community: { name: string } | null;
  district: { name: string } | null;
}) => badge.community?.name ?? badge.district?.name ?? '';

/** Renders the review queue at /reviews, and one submission's review at /reviews/:id. */
export default function ReviewsPage() {
  const params = useParams();
  return (
    <Switch>
      <Match when={viewerLoaded() && !viewer()}>
        <section>
          <h1>Reviews</h1>
          <p>
            <A href={signInPath('/reviews')}>Sign in</A> to review evidence for the badges you
            manage.
          </p>
        </section>
      </Match>
      <Match when={params.id}>{(id) => <SubmissionReview id={decodeURIComponent(id())} />}</Match>
      <Match when={true}>
        <ReviewQueue />
      </Match>
    </Switch>
  );
}

function ReviewQueue() {
  const page = createGraphQLQuery<QueueData, { viewerId: string }>(QUEUE, () => {
    const current = viewer();
    return current ? { viewerId: current.id } : false;
  });
  createDocumentTitle(() => 'Reviews');

  return (
    <section>
      <h1>Evidence to review</h1>
      <p class="lead">
        Evidence for microcredentials you manage, longest waiting first. Your own evidence goes to
        another reviewer.
      </p>
      <Switch>
        <Match when={!page.data() && page.error()}>
          {(message) => <ErrorState message={message()} onRetry={page.refetch} />}
        </Match>
        <Match when={!page.data()}>
          <Loading label="Loading the review queue…" />
        </Match>
        <Match when={page.data()}>
          {(data) => (
            <>
              <RefreshError message={page.error()} onRetry={page.refetch} />
              <p class="meta" data-testid="queue-total">
                {pluralize(data().reviewQueue.totalCount, 'submission')} waiting
                <Show when={data().reviewQueue.totalCount > QUEUE_PAGE_SIZE}>
                  {`; the ${QUEUE_PAGE_SIZE} waiting longest are listed`}
                </Show>
              </p>
              <Show
                when={data().reviewQueue.nodes.length > 0}
                fallback={<Empty>No evidence is waiting for your review.</Empty>}
              >
                <ul class="rows" aria-label="Waiting evidence">
                  <For each={data().reviewQueue.nodes}>
                    {(item) => (
                      <li data-testid="queue-item">
                        <A href={`/reviews/${encodeURIComponent(item.id)}`}>
                          {item.badge.name}: {item.submitter.displayName}
                        </A>
                        <span class="meta">
                          {' '}
                          · {issuerName(item.badge)} · revision {item.latestRevision.number} ·
                          waiting{' '}
                          <time datetime={item.updatedAt} title={formatLocal(item.updatedAt)}>
                            {waitingTime(item.updatedAt)}
                          </time>
                        </span>
                      </li>
                    )}
                  </For>
                </ul>
              </Show>
            </>
          )}
        </Match>
      </Switch>
    </section>
  );
}

function SubmissionReview(props: { id: string }) {
  const page = createGraphQLQuery<SubmissionData, { id: string; viewerId: string | null }>(
    SUBMISSION,
    () => viewerLoaded() && { id: props.id, viewerId: viewer()?.id ?? null },
  );
  const [confirmation, setConfirmation] = createSignal('');
  const submission = () => page.data()?.node;
  createDocumentTitle(() =>
    submission() ? `Review: ${submission()?.badge.name}` : 'Review evidence',
  );

  return (
    <article>
      <p class="breadcrumb">
        <A href="/reviews">Back to the review queue</A>
      </p>
      <Switch>
        <Match when={!page.data() && page.error()}>
          {(message) => <ErrorState message={message()} onRetry={page.refetch} />}
        </Match>
        <Match when={!page.data()}>
          <Loading label="Loading the evidence…" />
        </Match>
        <Match when={!submission()}>
          <h1>Evidence not found</h1>
          <p>It does not exist, or you do not review evidence for its badge.</p>
        </Match>
        <Match when={submission()}>
          {(current) => {
            const latest = () => current().revisions[current().revisions.length - 1];
            return (
              <>
                <RefreshError message={page.error()} onRetry={page.refetch} />
                <h1>
                  {current().submitter.displayName}: {current().badge.name}
                </h1>
                <p class="meta">
                  {issuerName(current().badge)} ·{' '}
                  <span data-testid="review-status">{STATUS_LABELS[current().status]}</span>
                  <Show when={current().status === 'PENDING'}>
                    {' '}
                    · waiting{' '}
                    <time datetime={current().updatedAt}>{waitingTime(current().updatedAt)}</time>
                  </Show>
                </p>
                <Show when={confirmation()}>
                  <div class="form-success" role="status" data-testid="review-confirmation">
                    {confirmation()} <A href="/reviews">Back to the queue</A>
                  </div>
                </Show>
                <details class="panel">
                  <summary>Criteria of {current().badge.name}</summary>
                  <div class="prose" innerHTML={current().badge.criteriaHtml} />
                  <p>
                    <A href={`/b/${encodeURIComponent(current().badge.id)}`}>Open the badge</A>
                  </p>
                </details>
                <Show when={latest()}>
                  {(revision) => <RevisionView revision={revision()} headingLevel={3} />}
                </Show>
                <Show when={current().viewerCanReview}>
                  <DecisionForm
                    submissionId={current().id}
                    revisionNumber={latest()?.number ?? 1}
                    submitterName={current().submitter.displayName}
                    badgeName={current().badge.name}
                    onDecided={(note) => {
                      setConfirmation(note);
                      refreshReviewCount();
                      page.refetch();
                    }}
                    onStale={page.refetch}
                  />
                </Show>
                <Show when={current().revisions.length > 1 || current().reviews.length > 0}>
                  <h2>Reviews and earlier revisions</h2>
                  <EvidenceHistory submission={current()} skipLatest />
                </Show>
              </>
            );
          }}
        </Match>
      </Switch>
    </article>
  );
}

const DECISIONS: { value: ReviewDecision; label: string; hint: string }[] = [
  { value: 'APPROVED', label: 'Approve', hint: 'awards the badge' },
  { value: 'CHANGES_REQUESTED', label: 'Request changes', hint: 'the educator revises it' },
  { value: 'DECLINED', label: 'Decline', hint: 'closes the submission' },
];

/** Confirms a decision in words, after the server accepted it. */
function describeOutcome(decision: ReviewDecision, submitter: string, badge: string): string {
  if (decision === 'APPROVED') {
    return `Approved: ${submitter} now holds “${badge}”.`;
  }
  if (decision === 'CHANGES_REQUESTED') {
    return `Changes requested: ${submitter} sees your feedback and can send a revision.`;
  }
  return `Declined: ${submitter} sees your feedback.`;
}

function DecisionForm(props: {
  submissionId: string;
  revisionNumber: number;
  submitterName: string;
  badgeName: string;
  onDecided: (confirmation: string) => void;
  /** Called when someone else decided first or a new revision arrived. */
  onStale: () => void;
}) {
  const [decision, setDecision] = createSignal<ReviewDecision | null>(null);
  const [feedback, setFeedback] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [outcome, setOutcome] = createSignal<MutationOutcome<unknown> | null>(null);
  const [decisionError, setDecisionError] = createSignal('');
  const feedbackIssue = () => outcome()?.issues?.find((issue) => issue.path[0] === 'feedback');
  const feedbackRequired = () => decision() !== null && decision() !== 'APPROVED';
  const formError = () => {
    const current = outcome();
    if (!current || current.data) {
      return undefined;
    }
    return feedbackIssue() ? 'Check the feedback above.' : current.message;
  };

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const chosen = decision();
    setDecisionError('');
    if (!chosen) {
      setDecisionError('Choose a decision.');
      document.getElementById('decision-APPROVED')?.focus();
      return;
    }
    setBusy(true);
    const result = await runMutation(REVIEW, 'reviewEvidence', {
      submissionId: props.submissionId,
      decision: chosen,
      feedback: feedback(),
      revisionNumber: props.revisionNumber,
    });
    setBusy(false);
    setOutcome(result);
    if (result.data) {
      props.onDecided(describeOutcome(chosen, props.submitterName, props.badgeName));
    } else if (result.typename === 'ConflictError') {
      props.onStale();
    }
  };

  return (
    <form class="panel decision-form" onSubmit={submit} novalidate aria-busy={busy()}>
      <h2>Your decision on revision {props.revisionNumber}</h2>
      <fieldset
        class="field"
        classList={{ invalid: Boolean(decisionError()) }}
        aria-describedby={decisionError() ? 'decision-error' : undefined}
      >
        <legend>Decision</legend>
        <For each={DECISIONS}>
          {(option) => (
            <label class="check">
              <input
                id={`decision-${option.value}`}
                type="radio"
                name="decision"
                value={option.value}
                checked={decision() === option.value}
                onChange={() => setDecision(option.value)}
              />
              {option.label} <span class="meta">({option.hint})</span>
            </label>
          )}
        </For>
        <Show when={decisionError()}>
          <p class="field-error" id="decision-error">
            {decisionError()}
          </p>
        </Show>
      </fieldset>
      <div class="field" classList={{ invalid: Boolean(feedbackIssue()) }}>
        <label for="review-feedback">
          Feedback for {props.submitterName}
          {feedbackRequired() ? ' (required)' : ' (optional)'}
        </label>
        <p class="hint" id="review-feedback-hint">
          Required to request changes or decline, at most 5,000 characters. With an approval it
          becomes the award's note, at most 2,000 characters.
        </p>
        <textarea
          id="review-feedback"
          rows={5}
          maxLength={5000}
          required={feedbackRequired()}
          value={feedback()}
          onInput={(event) => setFeedback(event.currentTarget.value)}
          aria-invalid={feedbackIssue() ? 'true' : undefined}
          aria-describedby={`review-feedback-hint${feedbackIssue() ? ' review-feedback-error' : ''}`}
        />
        <Show when={feedbackIssue()}>
          {(issue) => (
            <p class="field-error" id="review-feedback-error">
              {issue().message}
            </p>
          )}
        </Show>
      </div>
      <FormMessage error={formError()} />
      <button type="submit" disabled={busy()}>
        {busy() ? 'Sending…' : 'Send the decision'}
      </button>
    </form>
  );
}
