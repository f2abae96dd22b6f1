import { For, type JSX, Show } from 'solid-js';
import {
  ACTIVITY_FIGURES,
  type AnalyticsReport,
  bucketLabel,
  describeChange,
  formatDay,
  formatFigure,
  QUESTION_FIGURES,
} from '../../lib/analytics.ts';
import { TrendChart } from './trend-chart.tsx';

const CHARTS = [
  { id: 'participation', title: 'Active and new members', names: ['activeMembers', 'newMembers'] },
  {
    id: 'discussion',
    title: 'Threads, replies and chat',
    names: ['threads', 'replies', 'chatMessages'],
  },
  { id: 'live', title: 'Live session attendees and PD hours', names: ['attendees', 'pdHours'] },
  { id: 'badges', title: 'Badges awarded', names: ['badgesAwarded'] },
] as const;

const LABELS = Object.fromEntries([...ACTIVITY_FIGURES, ...QUESTION_FIGURES]) as Record<
  string,
  string
>;

/** Shows one figure of the period beside the previous period's. */
function FigureCard(props: { name: string; report: AnalyticsReport }) {
  const current = () => props.report.current[props.name as keyof AnalyticsReport['current']];
  const previous = () => props.report.previous[props.name as keyof AnalyticsReport['previous']];
  return (
    <li class="card figure-card" data-figure={props.name}>
      <h3>{LABELS[props.name]}</h3>
      <p class="figure-value">{formatFigure(current(), props.name)}</p>
      <p class="meta">
        Previous period: {formatFigure(previous(), props.name)}
        <Show when={describeChange(current(), previous())}>{(change) => <> ({change()})</>}</Show>
      </p>
    </li>
  );
}

/**
 * Shows the figures of a report: cards for the period against the previous one, trend charts with
 * their tables, and the CSV download. `children` adds a scope's own sections, such as schools.
 */
export function AnalyticsDashboard(props: { report: AnalyticsReport; children?: JSX.Element }) {
  const labels = () => props.report.trend.map((point) => bucketLabel(point, props.report.bucket));
  const downloadPath = () => {
    const url = new URL(props.report.csvUrl);
    return `${url.pathname}${url.search}`;
  };
  return (
    <div class="analytics">
      <p class="meta">
        {formatDay(props.report.from)} to {formatDay(props.report.to, -1)} (UTC), compared with the
        same number of days from {formatDay(props.report.previousFrom)}. Figures about fewer than{' '}
        {props.report.minGroupSize} people show as "hidden: fewer than {props.report.minGroupSize}{' '}
        people", and a cross on a chart's axis marks them.
      </p>
      <div class="actions">
        <a class="button-link secondary" href={downloadPath()} download="">
          Download CSV
        </a>
      </div>

      <section aria-labelledby="analytics-activity-heading">
        <h2 id="analytics-activity-heading">Activity</h2>
        <ul class="cards figure-cards">
          <For each={ACTIVITY_FIGURES}>
            {([name]) => <FigureCard name={name} report={props.report} />}
          </For>
        </ul>
      </section>

      <section aria-labelledby="analytics-questions-heading">
        <h2 id="analytics-questions-heading">Questions</h2>
        <ul class="cards figure-cards">
          <For each={QUESTION_FIGURES}>
            {([name]) => <FigureCard name={name} report={props.report} />}
          </For>
          <li class="card figure-card" data-figure="reviewsPending">
            <h3>Evidence waiting for review now</h3>
            <p class="figure-value">{formatFigure(props.report.reviewsPending)}</p>
          </li>
        </ul>
      </section>

      <section aria-labelledby="analytics-trends-heading">
        <h2 id="analytics-trends-heading">Trends</h2>
        <div class="trend-charts">
          <For each={CHARTS}>
            {(chart) => (
              <TrendChart
                id={`trend-${chart.id}`}
                title={chart.title}
                labels={labels()}
                series={chart.names.map((name) => ({
                  label: LABELS[name] ?? name,
                  values: props.report.trend.map((point) => point.figures[name]),
                }))}
              />
            )}
          </For>
        </div>
      </section>
      {props.children}
    </div>
  );
}
