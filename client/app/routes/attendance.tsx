import { A, useParams } from '@solidjs/router';
import { createSignal, For, Match, Show, Switch } from 'solid-js';
import { Field, FormMessage } from '../components/field.tsx';
import { ActionError, ErrorState, Loading, RefreshError } from '../components/status.tsx';
import { createGraphQLQuery, runMutation } from '../lib/graphql.ts';
import { ERROR_SELECTION } from '../lib/operations.ts';
import { viewer } from '../lib/session.ts';
import { createSubmission } from '../lib/submission.ts';
import { describeSchedule, formatLocal } from '../lib/time.ts';
import { createDocumentTitle } from '../lib/title.ts';

const REPORT = `query AttendanceReport($id: ID!) { liveSession(id: $id) {
  id title status startsAt endsAt timeZone viewerCanManage
  community { name slug }
  attendanceReport {
    final closedAt closedBy { displayName } csvUrl entryCount
    entries(first: 100) { nodes {
      person { id displayName }
      firstJoinedAt lastLeftAt measuredMinutes adjustedMinutes creditedMinutes
      adjustments { minutesBefore minutesAfter reason createdAt adjustedBy { displayName } } } } } } }`;

const ADJUST = `mutation AdjustAttendance($input: AdjustAttendanceInput!) { adjustAttendance(input: $input) {
  __typename ${ERROR_SELECTION} ... on MutationAdjustAttendanceSuccess { data { creditedMinutes } } } }`;

const CLOSE = `mutation CloseAttendanceReport($input: CloseAttendanceReportInput!) { closeAttendanceReport(input: $input) {
  __typename ${ERROR_SELECTION} ... on MutationCloseAttendanceReportSuccess { data { id } } } }`;

interface Adjustment {
  minutesBefore: number;
  minutesAfter: number;
  reason: string;
  createdAt: string;
  adjustedBy: { displayName: string } | null;
}

interface Entry {
  person: { id: string; displayName: string };
  firstJoinedAt: string;
  lastLeftAt: string | null;
  measuredMinutes: number;
  adjustedMinutes: number | null;
  creditedMinutes: number;
  adjustments: Adjustment[];
}

interface ReportData {
  liveSession: {
    id: string;
    title: string;
    status: string;
    startsAt: string;
    endsAt: string;
    timeZone: string;
    viewerCanManage: boolean;
    community: { name: string; slug: string };
    attendanceReport: {
      final: boolean;
      closedAt: string | null;
      closedBy: { displayName: string } | null;
      csvUrl: string;
      entryCount: number;
      entries: { nodes: Entry[] };
    } | null;
  } | null;
}

/**
 * Shows a live session's attendance report to its host and the community's moderators: measured
 * and credited minutes per person, adjustments with their history, closing, and the CSV download.
 */
export default function AttendancePage() {
  const params = useParams();
  const report = createGraphQLQuery<ReportData, { id: string }>(REPORT, () => ({
    id: decodeURIComponent(params.id ?? ''),
  }));
  const [editing, setEditing] = createSignal<string | null>(null);
  const [closeError, setCloseError] = createSignal('');
  const [closing, setClosing] = createSignal(false);
  createDocumentTitle(() => {
    const session = report.data()?.liveSession;
    return session ? `Attendance: ${session.title}` : 'Attendance';
  });

  const close = async (liveSessionId: string) => {
    if (!window.confirm('Close the report? Nobody can adjust it afterwards.')) {
      return;
    }
    setClosing(true);
    setCloseError('');
    const outcome = await runMutation<{ id: string }>(CLOSE, 'closeAttendanceReport', {
      liveSessionId,
    });
    setClosing(false);
    if (outcome.message) {
      setCloseError(outcome.message);
      return;
    }
    // A closed report takes no adjustments, so an open form would only fail.
    setEditing(null);
    report.refetch();
  };

  return (
    <Switch>
      <Match when={!report.data() && report.error()}>
        {(message) => <ErrorState message={message()} onRetry={report.refetch} />}
      </Match>
      <Match when={report.data() && !report.data()?.liveSession}>
        <section>
          <h1>Live session not found</h1>
          <p>It does not exist, or you do not have access to it.</p>
        </section>
      </Match>
      <Match when={report.data()?.liveSession}>
        {(session) => (
          <article class="attendance-page">
            <RefreshError message={report.error()} onRetry={report.refetch} />
            <p class="breadcrumbs">
              <A href={`/c/${session().community.slug}`}>{session().community.name}</A> ›{' '}
              <A href={`/s/${encodeURIComponent(session().id)}`}>{session().title}</A>
            </p>
            <h1>Attendance</h1>
            <p>{describeSchedule(session().startsAt, session().endsAt, session().timeZone)}</p>
            <Show
              when={session().attendanceReport}
              fallback={
                <p role="status">
                  Only the host and the community's owners and facilitators can see attendance.
                </p>
              }
            >
              {(attendance) => (
                <>
                  <p role="status" data-testid="report-state">
                    <Switch>
                      <Match when={attendance().final}>
                        Final: closed {formatLocal(attendance().closedAt ?? '')}
                        {attendance().closedBy ? ` by ${attendance().closedBy?.displayName}` : ''}.
                      </Match>
                      <Match when={session().status === 'ENDED'}>
                        Open: you can still adjust minutes, then close the report.
                      </Match>
                      <Match when={true}>
                        Measured while the session runs; you can close the report once it ends.
                      </Match>
                    </Switch>
                  </p>
                  <div class="actions">
                    <a
                      class="button-link secondary"
                      href={new URL(attendance().csvUrl).pathname}
                      download=""
                    >
                      Download CSV
                    </a>
                    <Show when={!attendance().final && session().status === 'ENDED'}>
                      <button
                        type="button"
                        disabled={closing()}
                        onClick={() => close(session().id)}
                      >
                        Close the report
                      </button>
                    </Show>
                  </div>
                  <ActionError message={closeError()} />
                  <Show
                    when={attendance().entries.nodes.length > 0}
                    fallback={<p class="empty">Nobody has been in the room yet.</p>}
                  >
                    <div class="table-scroll">
                      <table class="attendance-table">
                        <caption>
                          {attendance().entryCount}{' '}
                          {attendance().entryCount === 1 ? 'person' : 'people'}
                        </caption>
                        <thead>
                          <tr>
                            <th scope="col">Person</th>
                            <th scope="col">Joined</th>
                            <th scope="col">Left</th>
                            <th scope="col">Measured</th>
                            <th scope="col">Credited</th>
                            <th scope="col">
                              <span class="visually-hidden">Actions</span>
                            </th>
                          </tr>
                        </thead>
                        <tbody>
                          <For each={attendance().entries.nodes}>
                            {(entry) => (
                              <>
                                <tr data-testid="attendance-row">
                                  <th scope="row">{entry.person.displayName}</th>
                                  <td>{formatLocal(entry.firstJoinedAt)}</td>
                                  <td>{entry.lastLeftAt ? formatLocal(entry.lastLeftAt) : '—'}</td>
                                  <td>{entry.measuredMinutes} min</td>
                                  <td data-testid="credited">
                                    {entry.creditedMinutes} min
                                    {entry.adjustedMinutes !== null ? ' (adjusted)' : ''}
                                  </td>
                                  <td>
                                    {/* Nobody adjusts their own attendance, so the server would reject it. */}
                                    <Show
                                      when={!attendance().final && entry.person.id !== viewer()?.id}
                                    >
                                      <button
                                        type="button"
                                        class="secondary"
                                        aria-expanded={editing() === entry.person.id}
                                        onClick={() =>
                                          setEditing(
                                            editing() === entry.person.id ? null : entry.person.id,
                                          )
                                        }
                                      >
                                        Adjust
                                        <span class="visually-hidden">
                                          {' '}
                                          {entry.person.displayName}
                                        </span>
                                      </button>
                                    </Show>
                                  </td>
                                </tr>
                                <Show when={editing() === entry.person.id}>
                                  <tr>
                                    <td colSpan={6}>
                                      <AdjustForm
                                        liveSessionId={session().id}
                                        entry={entry}
                                        onDone={() => {
                                          setEditing(null);
                                          report.refetch();
                                        }}
                                        onCancel={() => setEditing(null)}
                                      />
                                    </td>
                                  </tr>
                                </Show>
                                <Show when={entry.adjustments.length > 0}>
                                  <tr class="adjustment-history">
                                    <td colSpan={6}>
                                      <ul>
                                        <For each={entry.adjustments}>
                                          {(adjustment) => (
                                            <li>
                                              {formatLocal(adjustment.createdAt)}:{' '}
                                              {adjustment.adjustedBy?.displayName ??
                                                'a deleted user'}{' '}
                                              changed {adjustment.minutesBefore} to{' '}
                                              {adjustment.minutesAfter} min: “{adjustment.reason}”
                                            </li>
                                          )}
                                        </For>
                                      </ul>
                                    </td>
                                  </tr>
                                </Show>
                              </>
                            )}
                          </For>
                        </tbody>
                      </table>
                    </div>
                  </Show>
                </>
              )}
            </Show>
          </article>
        )}
      </Match>
      <Match when={true}>
        <Loading label="Loading attendance…" />
      </Match>
    </Switch>
  );
}

function AdjustForm(props: {
  liveSessionId: string;
  entry: Entry;
  onDone: () => void;
  onCancel: () => void;
}) {
  const [minutes, setMinutes] = createSignal(String(props.entry.creditedMinutes));
  const [reason, setReason] = createSignal('');
  const submission = createSubmission(['minutes', 'reason']);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const value = Number(minutes());
    if (!Number.isInteger(value)) {
      submission.reject([{ path: ['minutes'], message: 'Enter a whole number of minutes.' }]);
      return;
    }
    const outcome = await submission.submit(() =>
      runMutation(ADJUST, 'adjustAttendance', {
        liveSessionId: props.liveSessionId,
        userId: props.entry.person.id,
        minutes: value,
        reason: reason().trim(),
      }),
    );
    if (!outcome.message) {
      props.onDone();
    }
  };

  return (
    <form class="adjust-form" onSubmit={submit} novalidate>
      <Field
        label={`Minutes to credit ${props.entry.person.displayName}`}
        name="minutes"
        type="number"
        min="0"
        max="720"
        required
        value={minutes()}
        onValue={setMinutes}
        error={submission.issue('minutes')}
      />
      <Field
        label="Reason"
        name="reason"
        hint="Kept with the report, for example “joined by phone”."
        required
        maxLength={500}
        value={reason()}
        onValue={setReason}
        error={submission.issue('reason')}
      />
      <FormMessage error={submission.formError()} />
      <div class="actions">
        <button type="submit" disabled={submission.busy()}>
          Save
        </button>
        <button type="button" class="secondary" onClick={() => props.onCancel()}>
          Cancel
        </button>
      </div>
    </form>
  );
}
