import { A } from '@solidjs/router';
import { createSignal, For, Match, Show, Switch } from 'solid-js';
import { createGraphQLQuery, runMutation } from '../lib/graphql.ts';
import { mutationDocument } from '../lib/operations.ts';
import { signInPath, viewer, viewerLoaded } from '../lib/session.ts';
import { formatLocal } from '../lib/time.ts';
import { type EvidenceFileItem, EvidenceForm, formatBytes } from './evidence-form.tsx';
import { ActionError, ErrorState, Loading } from './status.tsx';

export type SubmissionStatus =
  | 'PENDING'
  | 'CHANGES_REQUESTED'
  | 'APPROVED'
  | 'DECLINED'
  | 'WITHDRAWN';
export type ReviewDecision = 'APPROVED' | 'CHANGES_REQUESTED' | 'DECLINED';

export interface EvidenceRevisionData {
  number: number;
  reflection: string;
  reflectionHtml: string;
  links: string[];
  createdAt: string;
  files: EvidenceFileItem[];
}

export interface EvidenceReviewData {
  decision: ReviewDecision;
  feedback: string;
  revisionNumber: number;
  createdAt: string;
  reviewer: { displayName: string } | null;
}

export interface EvidenceSubmissionData {
  id: string;
  status: SubmissionStatus;
  createdAt: string;
  updatedAt: string;
  revisions: EvidenceRevisionData[];
  reviews: EvidenceReviewData[];
}

/** The fields EvidenceHistory shows, for the queries of the pages that use it. */
export const SUBMISSION_HISTORY_FIELDS = `id status createdAt updatedAt
  revisions { number reflection reflectionHtml links createdAt files { id fileName byteSize url } }
  reviews { decision feedback revisionNumber createdAt reviewer { displayName } }`;

export const STATUS_LABELS: Record<SubmissionStatus, string> = {
  PENDING: 'Waiting for review',
  CHANGES_REQUESTED: 'Changes requested',
  APPROVED: 'Approved',
  DECLINED: 'Declined',
  WITHDRAWN: 'Withdrawn',
};

export const DECISION_LABELS: Record<ReviewDecision, string> = {
  APPROVED: 'Approved',
  CHANGES_REQUESTED: 'Changes requested',
  DECLINED: 'Declined',
};

/** Lists links to evidence, each opening in a new tab without passing this page along. */
export function EvidenceLinks(props: { links: string[] }) {
  return (
    <Show when={props.links.length > 0}>
      <ul class="evidence-links" aria-label="Links" style={{ 'overflow-wrap': 'anywhere' }}>
        <For each={props.links}>
          {(link) => (
            <li>
              <a href={link} target="_blank" rel="noopener noreferrer nofollow">
                {link}
              </a>
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}

/** Lists the files of a revision with links to where they are served. */
export function EvidenceFiles(props: { files: EvidenceFileItem[] }) {
  return (
    <Show when={props.files.length > 0}>
      <ul class="evidence-files" aria-label="Files" style={{ 'overflow-wrap': 'anywhere' }}>
        <For each={props.files}>
          {(file) => (
            <li>
              <a href={file.url} target="_blank" rel="noopener noreferrer">
                {file.fileName}
              </a>{' '}
              <span class="meta">{formatBytes(file.byteSize)}</span>
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}

/** Shows one revision: its reflection, links and files. */
export function RevisionView(props: { revision: EvidenceRevisionData; headingLevel?: 3 | 4 }) {
  const heading = () => `Revision ${props.revision.number}`;
  return (
    <section class="evidence-revision" aria-label={heading()} data-testid="evidence-revision">
      <Show when={props.headingLevel === 3} fallback={<h4>{heading()}</h4>}>
        <h3>{heading()}</h3>
      </Show>
      <p class="meta">Sent {formatLocal(props.revision.createdAt)}</p>
      <div class="prose" innerHTML={props.revision.reflectionHtml} />
      <EvidenceLinks links={props.revision.links} />
      <EvidenceFiles files={props.revision.files} />
    </section>
  );
}

/** Shows one review: the decision, who made it and the feedback. */
export function ReviewView(props: { review: EvidenceReviewData }) {
  return (
    <section
      class="evidence-review panel compact"
      aria-label={`Review of revision ${props.review.revisionNumber}`}
      data-testid="evidence-review"
    >
      <h4>
        {DECISION_LABELS[props.review.decision]}
        <span class="meta"> · revision {props.review.revisionNumber}</span>
      </h4>
      <p class="meta">
        {props.review.reviewer?.displayName ?? 'A former reviewer'} ·{' '}
        {formatLocal(props.review.createdAt)}
      </p>
      <Show when={props.review.feedback}>
        <p class="evidence-feedback">{props.review.feedback}</p>
      </Show>
    </section>
  );
}

type HistoryEntry =
  | { kind: 'revision'; at: string; revision: EvidenceRevisionData }
  | { kind: 'review'; at: string; review: EvidenceReviewData };

/** Orders revisions and reviews as they happened: each review follows the revision it decided. */
function historyOf(submission: EvidenceSubmissionData, skipLatest: boolean): HistoryEntry[] {
  const latest = Math.max(...submission.revisions.map((revision) => revision.number));
  const entries: HistoryEntry[] = [];
  for (const revision of submission.revisions) {
    if (!(skipLatest && revision.number === latest)) {
      entries.push({ kind: 'revision', at: revision.createdAt, revision });
    }
    for (const review of submission.reviews) {
      if (review.revisionNumber === revision.number) {
        entries.push({ kind: 'review', at: review.createdAt, review });
      }
    }
  }
  return entries;
}

/**
 * Shows the history of a submission oldest first: every revision, each followed by the reviews
 * of it. With `skipLatest`, the newest revision is left out, for a page that shows it above.
 */
export function EvidenceHistory(props: {
  submission: EvidenceSubmissionData;
  skipLatest?: boolean;
}) {
  return (
    <ol class="evidence-history rows" aria-label="History">
      <For each={historyOf(props.submission, props.skipLatest ?? false)}>
        {(entry) => (
          <li>
            {entry.kind === 'revision' ? (
              <RevisionView revision={entry.revision} />
            ) : (
              <ReviewView review={entry.review} />
            )}
          </li>
        )}
      </For>
    </ol>
  );
}

const VIEWER_SUBMISSIONS = `query BadgeEvidence($id: ID!) { badge(id: $id) {
  id viewerCanManage viewerSubmissions { ${SUBMISSION_HISTORY_FIELDS} } } }`;

interface ViewerSubmissionsData {
  badge: {
    id: string;
    viewerCanManage: boolean;
    viewerSubmissions: EvidenceSubmissionData[];
  } | null;
}

const WITHDRAW = mutationDocument('withdrawEvidence', 'WithdrawEvidenceInput', 'id status');

/**
 * Renders the evidence part of a microcredential's page: the viewer's submissions with their full
 * history, a form for new evidence while none is open, and revising or withdrawing open evidence.
 */
export function BadgeEvidence(props: { badgeId: string; onChanged: () => void }) {
  const page = createGraphQLQuery<ViewerSubmissionsData, { id: string; viewerId: string | null }>(
    VIEWER_SUBMISSIONS,
    () => viewerLoaded() && { id: props.badgeId, viewerId: viewer()?.id ?? null },
  );
  const [message, setMessage] = createSignal('');
  const submissions = () => page.data()?.badge?.viewerSubmissions ?? [];
  const open = () =>
    submissions().find((item) => item.status === 'PENDING' || item.status === 'CHANGES_REQUESTED');
  const earned = () => submissions().some((item) => item.status === 'APPROVED');

  const changed = (note: string) => {
    setMessage(note);
    page.refetch();
    props.onChanged();
  };

  return (
    <section class="badge-evidence" aria-labelledby="evidence-heading">
      <h2 id="evidence-heading">Evidence</h2>
      <p class="meta">
        This microcredential is earned by sending evidence that a reviewer approves: the badge's
        community owners and facilitators, or its district's admins.
      </p>
      <Show when={message()}>
        <p class="form-success" role="status">
          {message()}
        </p>
      </Show>
      <Switch>
        <Match when={!viewer() && viewerLoaded()}>
          <p>
            <A href={signInPath(`/b/${encodeURIComponent(props.badgeId)}`)}>Sign in</A> to send
            evidence.
          </p>
        </Match>
        <Match when={!page.data() && page.error()}>
          {(error) => <ErrorState message={error()} onRetry={page.refetch} />}
        </Match>
        <Match when={!page.data()}>
          <Loading label="Loading your evidence…" />
        </Match>
        <Match when={page.data()}>
          <Show when={page.data()?.badge?.viewerCanManage}>
            <p>
              <A href="/reviews">Open the review queue</A> to decide on evidence for the badges you
              manage.
            </p>
          </Show>
          <Show when={open()}>
            {(current) => <OpenSubmission submission={current()} onChanged={changed} />}
          </Show>
          <Show when={!open() && !earned()}>
            <details class="panel" open={submissions().length === 0}>
              <summary>Send evidence</summary>
              <EvidenceForm
                idPrefix="new-evidence"
                badgeId={props.badgeId}
                onSent={() => changed('Your evidence was sent for review.')}
              />
            </details>
          </Show>
          <For each={submissions().filter((item) => item !== open())}>
            {(submission) => (
              <details class="panel" data-testid="past-submission">
                <summary>
                  {STATUS_LABELS[submission.status]} · sent {formatLocal(submission.createdAt)}
                </summary>
                <EvidenceHistory submission={submission} />
              </details>
            )}
          </For>
        </Match>
      </Switch>
    </section>
  );
}

/** Renders the viewer's open submission with its history, and revises or withdraws it. */
function OpenSubmission(props: {
  submission: EvidenceSubmissionData;
  onChanged: (note: string) => void;
}) {
  const [revising, setRevising] = createSignal(false);
  const [confirmWithdraw, setConfirmWithdraw] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal('');
  const latest = () => props.submission.revisions[props.submission.revisions.length - 1];

  const withdraw = async () => {
    setBusy(true);
    setError('');
    const outcome = await runMutation(WITHDRAW, 'withdrawEvidence', {
      submissionId: props.submission.id,
    });
    setBusy(false);
    if (outcome.message) {
      setError(outcome.message);
      return;
    }
    setConfirmWithdraw(false);
    props.onChanged('Your evidence was withdrawn.');
  };

  return (
    <div class="panel" data-testid="open-submission">
      <h3>
        Your evidence:{' '}
        <span data-testid="submission-status">{STATUS_LABELS[props.submission.status]}</span>
      </h3>
      <p class="meta">
        Sent {formatLocal(props.submission.createdAt)}
        <Show when={props.submission.status === 'PENDING'}>
          {' '}
          · a reviewer will look at revision {latest()?.number}
        </Show>
      </p>
      <EvidenceHistory submission={props.submission} />
      <Show when={props.submission.status === 'CHANGES_REQUESTED'}>
        <Show
          when={revising()}
          fallback={
            <button type="button" onClick={() => setRevising(true)}>
              Revise the evidence
            </button>
          }
        >
          <h4>Revision {(latest()?.number ?? 0) + 1}</h4>
          <EvidenceForm
            idPrefix={`revise-${props.submission.id}`}
            submissionId={props.submission.id}
            initial={{
              reflection: latest()?.reflection ?? '',
              links: latest()?.links ?? [],
              files: latest()?.files ?? [],
            }}
            onSent={() => {
              setRevising(false);
              props.onChanged('Your revision was sent for review.');
            }}
            onCancel={() => setRevising(false)}
          />
        </Show>
      </Show>
      <Show when={!revising()}>
        <Show
          when={confirmWithdraw()}
          fallback={
            <button type="button" class="secondary" onClick={() => setConfirmWithdraw(true)}>
              Withdraw the evidence
            </button>
          }
        >
          <div class="actions">
            <span>Withdraw it? Reviewers will no longer see it in their queue.</span>
            <button type="button" class="danger" disabled={busy()} onClick={() => void withdraw()}>
              {busy() ? 'Withdrawing…' : 'Withdraw'}
            </button>
            <button type="button" class="secondary" onClick={() => setConfirmWithdraw(false)}>
              Keep it
            </button>
          </div>
        </Show>
      </Show>
      <ActionError message={error()} />
    </div>
  );
}
