import { A, useSearchParams } from '@solidjs/router';
import { type JSX, Match, Switch } from 'solid-js';
import {
  type AnalyticsError,
  type AnalyticsReport,
  defaultDates,
  periodOf,
} from '../../lib/analytics.ts';
import { createGraphQLQuery } from '../../lib/graphql.ts';
import { describeIssues } from '../../lib/issues.ts';
import { signInPath, viewer, viewerLoaded } from '../../lib/session.ts';
import { ErrorState, Loading, RefreshError } from '../status.tsx';
import { AnalyticsDashboard } from './analytics-dashboard.tsx';
import { PeriodPicker, type PickedPeriod } from './period-picker.tsx';
import '../../routes/analytics.css';

/** The object a page loads: a community or district, with its analytics or a typed error. */
export interface AnalyticsOwner<Report extends AnalyticsReport> {
  id: string;
  slug: string;
  name: string;
  analytics: Report | AnalyticsError;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const BUCKETS: Record<string, PickedPeriod['bucket']> = {
  day: 'DAY',
  week: 'WEEK',
  month: 'MONTH',
};

/**
 * Reads the period from the address (`from` and `to` as YYYY-MM-DD, `by` as day, week or month),
 * with the last 30 days by week for what is missing or malformed. The API validates the rest.
 */
function pickedFromAddress(params: { from?: string; to?: string; by?: string }): PickedPeriod {
  const defaults = defaultDates();
  return {
    from: params.from && DAY.test(params.from) ? params.from : defaults.from,
    to: params.to && DAY.test(params.to) ? params.to : defaults.to,
    bucket: BUCKETS[params.by ?? ''] ?? 'WEEK',
  };
}

function isReport<Report extends AnalyticsReport>(
  result: Report | AnalyticsError,
): result is Report {
  return result.__typename.endsWith('Analytics');
}

/**
 * Shows the analytics page of a community or district: the period picker, and the report for
 * that period with loading, error and forbidden states. `query` is the page's GraphQL query.
 */
export function AnalyticsPage<Report extends AnalyticsReport>(props: {
  query: string;
  field: 'community' | 'district';
  slug: string;
  heading: (name: string) => string;
  backLink: (slug: string) => string;
  signInPath: string;
  children?: (report: Report) => JSX.Element;
}) {
  // The period lives in the address, so reloading, Back and a shared link keep it.
  const [params, setParams] = useSearchParams<{ from?: string; to?: string; by?: string }>();
  const picked = () => pickedFromAddress(params);
  const setPicked = (next: PickedPeriod) =>
    setParams({ from: next.from, to: next.to, by: next.bucket.toLowerCase() });
  const page = createGraphQLQuery<
    Record<string, AnalyticsOwner<Report> | null>,
    { slug: string; period: ReturnType<typeof periodOf>; viewerId: string }
  >(props.query, () => {
    const current = viewer();
    const period = picked();
    return current
      ? {
          slug: props.slug,
          period: periodOf(period.from, period.to, period.bucket),
          viewerId: current.id,
        }
      : false;
  });
  const owner = () => page.data()?.[props.field];
  return (
    <Switch>
      <Match when={viewerLoaded() && !viewer()}>
        <section>
          <h1>Analytics</h1>
          <p>
            <A href={signInPath(props.signInPath)}>Sign in</A> to see analytics.
          </p>
        </section>
      </Match>
      <Match when={!page.data() && page.error()}>
        {(message) => <ErrorState message={message()} onRetry={page.refetch} />}
      </Match>
      <Match when={!page.data()}>
        <Loading label="Loading analytics…" />
      </Match>
      <Match when={!owner()}>
        <section>
          <h1>Not found</h1>
          <p>Nothing has the address {props.slug}.</p>
        </section>
      </Match>
      <Match when={owner()}>
        {(current) => (
          <article class="analytics-page">
            <p class="breadcrumb">
              <A href={props.backLink(current().slug)}>{current().name}</A>
            </p>
            <h1>{props.heading(current().name)}</h1>
            <PeriodPicker value={picked()} onChange={setPicked} />
            <RefreshError message={page.error()} onRetry={page.refetch} />
            <div aria-live="polite" aria-busy={page.loading()}>
              <Switch>
                <Match when={isReport(current().analytics) && (current().analytics as Report)}>
                  {(report) => (
                    <AnalyticsDashboard report={report()}>
                      {props.children?.(report())}
                    </AnalyticsDashboard>
                  )}
                </Match>
                <Match when={current().analytics as AnalyticsError}>
                  {(failure) => (
                    <p class="form-error" role="alert">
                      {describeIssues(failure().message, failure().issues)}
                    </p>
                  )}
                </Match>
              </Switch>
            </div>
          </article>
        )}
      </Match>
    </Switch>
  );
}
