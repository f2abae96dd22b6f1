import { A } from '@solidjs/router';
import { For, Match, Switch } from 'solid-js';
import { createGraphQLQuery } from '../lib/graphql.ts';
import { describeSchedule } from '../lib/time.ts';
import { ErrorState, Loading } from './status.tsx';

const TRANSCRIPT = `query PdTranscript { viewer { id pdTranscript {
  totalMinutes totalHours csvUrl
  entries { title communityName startedAt endedAt timeZone creditedMinutes creditedHours final
    measuredMinutes adjusted
    liveSession { id } } } } }`;

interface TranscriptEntry {
  title: string;
  communityName: string;
  startedAt: string;
  endedAt: string;
  timeZone: string;
  creditedMinutes: number;
  creditedHours: number;
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
      totalHours: number;
      csvUrl: string;
      entries: TranscriptEntry[];
    } | null;
  } | null;
}

const hours = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

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
                <p>
                  <strong>{hours.format(record().totalHours)} hours</strong> in{' '}
                  {record().entries.length} live{' '}
                  {record().entries.length === 1 ? 'session' : 'sessions'}.
                </p>
                <div class="table-scroll">
                  <table>
                    <caption class="visually-hidden">Live sessions attended</caption>
                    <thead>
                      <tr>
                        <th scope="col">Session</th>
                        <th scope="col">When</th>
                        <th scope="col">Hours</th>
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
                              {hours.format(entry.creditedHours)}
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
