import { A } from '@solidjs/router';
import { For, Match, Switch } from 'solid-js';
import { createGraphQLQuery } from '../lib/graphql.ts';
import { pluralize } from '../lib/plural.ts';
import { describeSchedule } from '../lib/time.ts';
import { ErrorState, Loading } from './status.tsx';

const TRANSCRIPT = `query PdTranscript { viewer { id pdTranscript {
  totalMinutes csvUrl
  entries { title communityName startedAt endedAt timeZone creditedMinutes final
    measuredMinutes adjusted
    liveSession { id } } } } }`;

interface TranscriptEntry {
  title: string;
  communityName: string;
  startedAt: string;
  endedAt: string;
  timeZone: string;
  creditedMinutes: number;
  measuredMinutes: number;
  adjusted: boolean;
  final: boolean;
  liveSession: { id: string } | null;
}

interface TranscriptData {
  viewer: {
    id: string;
    pdTranscript: {
      totalMinutes: number;
      csvUrl: string;
      entries: TranscriptEntry[];
    } | null;
  } | null;
}

const hours = new Intl.NumberFormat(undefined, {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});

/** Describes credited minutes with their hours to one decimal, e.g. "45 min (0.8 h)". */
function describeCredit(minutes: number): string {
  return `${minutes} min (${hours.format(minutes / 60)} h)`;
}

/**
 * Lists the live sessions the viewer attended, with the hours credited for each, and links the
 * CSV download for a professional development record.
 */
export function PdTranscript() {
  const transcript = createGraphQLQuery<TranscriptData, Record<string, never>>(
    TRANSCRIPT,
    () => ({}),
  );

  return (
    <Switch>
      <Match when={!transcript.data() && transcript.error()}>
        {(message) => <ErrorState message={message()} onRetry={transcript.refetch} />}
      </Match>
      <Match when={transcript.data()?.viewer?.pdTranscript}>
        {(record) => (
          <div class="pd-transcript" data-testid="pd-transcript">
            <Switch>
              <Match when={record().entries.length === 0}>
                <p>
                  No attended live sessions yet. Sessions appear here once they have ended, with the
                  time you spent in the room.
                </p>
              </Match>
              <Match when={true}>
                <p data-testid="pd-transcript-total">
                  <strong>{describeCredit(record().totalMinutes)}</strong> in{' '}
                  {pluralize(record().entries.length, 'live session')}.
                </p>
                <div class="table-scroll">
                  <table>
                    <caption class="visually-hidden">Live sessions attended</caption>
                    <thead>
                      <tr>
                        <th scope="col">Session</th>
                        <th scope="col">When</th>
                        <th scope="col">Credited</th>
                        <th scope="col">Record</th>
                      </tr>
                    </thead>
                    <tbody>
                      <For each={record().entries}>
                        {(entry) => (
                          <tr>
                            <td>
                              {entry.liveSession ? (
                                <A href={`/s/${encodeURIComponent(entry.liveSession.id)}`}>
                                  {entry.title}
                                </A>
                              ) : (
                                entry.title
                              )}
                              <div class="hint">{entry.communityName}</div>
                            </td>
                            <td>
                              {describeSchedule(entry.startedAt, entry.endedAt, entry.timeZone)}
                            </td>
                            <td>
                              {describeCredit(entry.creditedMinutes)}
                              {entry.adjusted ? (
                                <div class="hint">
                                  Set by the host; {entry.measuredMinutes} min measured
                                </div>
                              ) : null}
                            </td>
                            <td>{entry.final ? 'Final' : 'Host may still adjust'}</td>
                          </tr>
                        )}
                      </For>
                    </tbody>
                  </table>
                </div>
              </Match>
            </Switch>
            <p>
              <a href={new URL(record().csvUrl).pathname} class="button-link secondary" download="">
                Download transcript (CSV)
              </a>
            </p>
          </div>
        )}
      </Match>
      <Match when={true}>
        <Loading label="Loading your transcript…" />
      </Match>
    </Switch>
  );
}
