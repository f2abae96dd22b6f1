import { A } from '@solidjs/router';
import { createSignal, type JSX, Match, Switch } from 'solid-js';
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
  const [picked, setPicked] = createSignal<PickedPeriod>({ ...defaultDates(), bucket: 'WEEK' });
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
