import { createSignal, For, Match, Show, Switch } from 'solid-js';
import { createGraphQLQuery, runMutation } from '../../lib/graphql.ts';
import { mutationDocument } from '../../lib/operations.ts';
import { pluralize } from '../../lib/plural.ts';
import { createSubmission } from '../../lib/submission.ts';
import { formatRelative } from '../../lib/time.ts';
import { Field, FormMessage } from '../field.tsx';
import { Empty, ErrorState, Loading } from '../status.tsx';
import { REPORT_REASON_LABELS } from './report-dialog.tsx';

const REVIEW_QUEUE = `query ReviewQueue($slug: String!) { community(slug: $slug) {
  id openReportCount reports(first: 50) { pageInfo { hasNextPage } nodes {
    id reason details subjectKind createdAt openReportsOnSubject
    reporter { displayName } subjectUser { displayName }
    subject { title body removed held deleted threadId } } } } }`;

export interface ReportRow {
  id: string;
  reason: string;
  details: string;
  subjectKind: 'THREAD' | 'POST' | 'CHAT_MESSAGE' | 'PERSON';
  createdAt: string;
  openReportsOnSubject: number | null;
  reporter: { displayName: string } | null;
  subjectUser: { displayName: string } | null;
  subject: {
    title: string | null;
    body: string;
    removed: boolean;
    held: boolean;
    deleted: boolean;
    threadId: string | null;
  } | null;
}

interface ReviewQueueData {
  community: {
    id: string;
    openReportCount: number | null;
    reports: { pageInfo: { hasNextPage: boolean }; nodes: ReportRow[] } | null;
  } | null;
}

const SUBJECT_LABELS: Record<ReportRow['subjectKind'], string> = {
  THREAD: 'Thread',
  POST: 'Reply',
  CHAT_MESSAGE: 'Chat message',
  PERSON: 'Person',
};

/** Lists the decisions that fit one report, in the order the form shows them. */
function decisionsFor(report: ReportRow): [string, string][] {
  const decisions: [string, string][] = report.subject?.held
    ? [
        ['APPROVE', 'Approve: show the held content'],
        ['DISMISS', 'Dismiss: nothing is wrong, so the held content shows'],
      ]
    : [['DISMISS', 'Dismiss: nothing is wrong']];
  if (report.subjectKind !== 'PERSON') {
    decisions.push(['REMOVE', 'Remove the content']);
  }
  if (report.subjectUser) {
    decisions.push(
      ['WARN', 'Warn the person'],
      ['MUTE', 'Mute the person'],
      ['BAN', 'Ban the person from the community'],
    );
  }
  return decisions;
}

/**
 * Lists a community's open reports, oldest first, each with the reported content and a form to
 * decide on it. A decision resolves every open report on the same content.
 */
export function ReviewQueue(props: { slug: string; onChanged: () => void }) {
  const queue = createGraphQLQuery<ReviewQueueData, { slug: string }>(REVIEW_QUEUE, () => ({
    slug: props.slug,
  }));
  const reports = () => queue.data()?.community?.reports?.nodes ?? [];
  const changed = () => {
    queue.refetch();
    props.onChanged();
  };

  return (
    <Switch>
      <Match when={!queue.data() && queue.error()}>
        {(message) => <ErrorState message={message()} onRetry={queue.refetch} />}
      </Match>
      <Match when={!queue.data()}>
        <Loading label="Loading reports…" />
      </Match>
      <Match when={reports().length === 0}>
        <Empty>No open reports.</Empty>
      </Match>
      <Match when={true}>
        <p class="hint">
          {queue.data()?.community?.reports?.pageInfo.hasNextPage
            ? `The oldest 50 of ${pluralize(queue.data()?.community?.openReportCount ?? 0, 'open report')}. Decide on these to see the rest.`
            : `${pluralize(reports().length, 'open report')}, oldest first.`}
        </p>
        <ul class="rows report-queue" data-testid="report-queue">
          <For each={reports()}>
            {(report) => <ReportItem report={report} onDecided={changed} />}
          </For>
        </ul>
      </Match>
    </Switch>
  );
}

function ReportItem(props: { report: ReportRow; onDecided: () => void }) {
  const report = () => props.report;
  const subjectName = () => report().subjectUser?.displayName ?? 'a deleted account';
  return (
    <li class="report-item" data-testid="report-item">
      <p class="meta">
        <strong>{SUBJECT_LABELS[report().subjectKind]}</strong> by {subjectName()} ·{' '}
        {REPORT_REASON_LABELS[report().reason] ?? report().reason} ·{' '}
        {report().reporter ? `reported by ${report().reporter?.displayName}` : 'held by the server'}{' '}
        {formatRelative(report().createdAt)}
        <Show when={(report().openReportsOnSubject ?? 0) > 1}>
          {' '}
          · <span class="tag">{pluralize(report().openReportsOnSubject ?? 0, 'report')}</span>
        </Show>
        <Show when={report().subject?.removed}>
          <span class="tag subtle">Removed</span>
        </Show>
        <Show when={report().subject?.held}>
          <span class="tag subtle">Held</span>
        </Show>
      </p>
      <Show when={report().subject}>
        {(subject) => (
          <blockquote class="report-subject" data-testid="report-subject">
            <Show when={subject().title}>
              <p>
                <Show when={subject().threadId} fallback={<strong>{subject().title}</strong>}>
                  {(threadId) => (
                    <a href={`/t/${encodeURIComponent(threadId())}`}>
                      <strong>{subject().title}</strong>
                    </a>
                  )}
                </Show>
              </p>
            </Show>
            <p class="report-body">{subject().body || '(empty)'}</p>
          </blockquote>
        )}
      </Show>
      <Show when={report().details}>
        <p>
          <em>Reporter's details:</em> {report().details}
        </p>
      </Show>
      <DecisionForm report={report()} onDecided={props.onDecided} />
    </li>
  );
}

function DecisionForm(props: { report: ReportRow; onDecided: () => void }) {
  // The first decision that fits: APPROVE for held content, DISMISS otherwise.
  const [action, setAction] = createSignal(decisionsFor(props.report)[0]?.[0] ?? 'DISMISS');
  const [note, setNote] = createSignal('');
  const [minutes, setMinutes] = createSignal('60');
  const submission = createSubmission(['action', 'note', 'muteMinutes']);
  const prefix = () => `decision-${props.report.id}`;

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const label = decisionsFor(props.report).find(([value]) => value === action())?.[1];
    if (!window.confirm(`${label}?`)) {
      return;
    }
    const result = await submission.submit(() =>
      runMutation(mutationDocument('resolveReport', 'ResolveReportInput', 'id'), 'resolveReport', {
        reportId: props.report.id,
        action: action(),
        ...(note().trim() && { note: note() }),
        ...(action() === 'MUTE' && { muteMinutes: Number(minutes()) }),
      }),
    );
    if (result.data) {
      props.onDecided();
    }
  };

  return (
    <form class="decision-form" onSubmit={submit}>
      <div class="field">
        <label for={`${prefix()}-action`}>Decision</label>
        <select
          id={`${prefix()}-action`}
          value={action()}
          onChange={(event) => setAction(event.currentTarget.value)}
          data-testid="decision-action"
        >
          <For each={decisionsFor(props.report)}>
            {([value, label]) => <option value={value}>{label}</option>}
          </For>
        </select>
      </div>
      <Show when={action() === 'MUTE'}>
        <Field
          label="Mute for (minutes)"
          name={`${prefix()}-minutes`}
          type="number"
          min="1"
          max="525600"
          required
          value={minutes()}
          onValue={setMinutes}
          error={submission.issue('muteMinutes')}
        />
      </Show>
      <Field
        label="Note (optional)"
        name={`${prefix()}-note`}
        hint="Kept in the audit log and shown to the person acted on."
        multiline
        rows={2}
        maxLength={1000}
        value={note()}
        onValue={setNote}
        error={submission.issue('note')}
      />
      <FormMessage error={submission.formError()} />
      <button type="submit" disabled={submission.busy()} data-testid="decision-submit">
        {submission.busy() ? 'Saving…' : 'Apply decision'}
      </button>
    </form>
  );
}
