import { createEffect, createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import { type AnalyticsValue, formatFigure, withheldWords } from '../../lib/analytics.ts';

export interface TrendSeries {
  label: string;
  values: AnalyticsValue[];
}

type ChartModule = typeof import('../../lib/chart.ts');

let chartModule: Promise<ChartModule> | null = null;

/** Loads Chart.js once, on the first chart shown. */
function loadChart(): Promise<ChartModule> {
  chartModule ??= import('../../lib/chart.ts');
  return chartModule;
}

const COLORS = ['#1f5fa8', '#b5562a', '#2e7d4f', '#7a4fa0'];
const WITHHELD_COLOR = '#5c5c5c';

/**
 * Draws a line chart of one or more series over the buckets of a trend, with the same numbers in a
 * table for screen readers and keyboard users. A suppressed value is a gap in the line, a cross on
 * the axis and "hidden: fewer than N people" in the table.
 */
export function TrendChart(props: {
  title: string;
  labels: string[];
  series: TrendSeries[];
  id: string;
}) {
  let canvas: HTMLCanvasElement | undefined;
  const [failed, setFailed] = createSignal(false);
  let chart: { destroy(): void; update(): void; data: unknown } | null = null;

  /** Whether each bucket has a withheld value in any series. */
  const withheld = () =>
    props.labels.map((_, index) => props.series.some((series) => series.values[index]?.suppressed));
  const withheldCount = () => withheld().filter(Boolean).length;
  const lessThan = () =>
    props.series.flatMap((series) => series.values).find((value) => value.suppressed)?.lessThan ??
    null;

  const data = () => ({
    labels: props.labels,
    datasets: [
      ...props.series.map((series, index) => ({
        label: series.label,
        data: series.values.map((value) => (value.suppressed ? null : value.value)),
        borderColor: COLORS[index % COLORS.length],
        backgroundColor: COLORS[index % COLORS.length],
        spanGaps: false,
      })),
      // A cross on the axis marks each bucket with a withheld value, which the lines skip.
      ...(withheldCount() > 0
        ? [
            {
              label: `Withheld (${withheldWords(lessThan())})`,
              data: withheld().map((isWithheld) => (isWithheld ? 0 : null)),
              showLine: false,
              pointStyle: 'crossRot',
              pointRadius: 7,
              pointBorderWidth: 2,
              borderColor: WITHHELD_COLOR,
              backgroundColor: WITHHELD_COLOR,
            },
          ]
        : []),
    ],
  });

  onMount(() => {
    loadChart()
      .then(({ Chart }) => {
        if (!canvas) {
          return;
        }
        chart = new Chart(canvas, {
          type: 'line',
          data: data(),
          options: {
            animation: false,
            responsive: true,
            maintainAspectRatio: false,
            scales: { y: { beginAtZero: true } },
          },
        });
      })
      .catch(() => setFailed(true));
  });

  createEffect(() => {
    const next = data();
    if (chart) {
      chart.data = next;
      chart.update();
    }
  });

  onCleanup(() => chart?.destroy());

  return (
    <figure class="trend-chart" aria-labelledby={`${props.id}-title`}>
      <figcaption id={`${props.id}-title`}>{props.title}</figcaption>
      {/* The table below has the same numbers, so screen readers skip the picture. */}
      <div class="trend-canvas" aria-hidden="true">
        <canvas ref={canvas} data-testid={`${props.id}-canvas`} />
      </div>
      <Show when={withheldCount() > 0}>
        <p class="hint" data-testid={`${props.id}-withheld`}>
          × on the axis: {withheldCount()} of {props.labels.length} points withheld (
          {withheldWords(lessThan())}).
        </p>
      </Show>
      <Show when={failed()}>
        <p class="hint">The chart could not be drawn; the table below has the same figures.</p>
      </Show>
      <details>
        <summary>Show the figures as a table</summary>
        <div class="table-scroll">
          <table>
            <caption class="visually-hidden">{props.title}</caption>
            <thead>
              <tr>
                <th scope="col">Starting</th>
                <For each={props.series}>{(series) => <th scope="col">{series.label}</th>}</For>
              </tr>
            </thead>
            <tbody>
              <For each={props.labels}>
                {(label, index) => (
                  <tr>
                    <th scope="row">{label}</th>
                    <For each={props.series}>
                      {(series) => <td>{formatFigure(series.values[index()])}</td>}
                    </For>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
