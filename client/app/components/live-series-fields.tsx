import { createSignal, For, Show } from 'solid-js';
import { Field } from './field.tsx';

export type Repeats = 'NEVER' | 'WEEKLY' | 'MONTHLY';
type EndKind = 'until' | 'count';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const WEEK_ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth'];

/** Creates the state of the "Repeats" part of the schedule form. */
export function createRepeatState() {
  const [repeats, setRepeats] = createSignal<Repeats>('NEVER');
  const [interval, setInterval] = createSignal('1');
  const [monthlyKind, setMonthlyKind] = createSignal('DAY_OF_MONTH');
  const [endKind, setEndKind] = createSignal<EndKind>('count');
  const [until, setUntil] = createSignal('');
  const [count, setCount] = createSignal('10');
  return {
    repeats,
    setRepeats,
    interval,
    setInterval,
    monthlyKind,
    setMonthlyKind,
    endKind,
    setEndKind,
    until,
    setUntil,
    count,
    setCount,
    reset() {
      setRepeats('NEVER');
      setInterval('1');
      setMonthlyKind('DAY_OF_MONTH');
      setEndKind('count');
      setUntil('');
      setCount('10');
    },
  };
}

export type RepeatState = ReturnType<typeof createRepeatState>;

interface Issue {
  path: string[];
  message: string;
}

/**
 * Builds the recurrence fields of a scheduleLiveSeries input, or returns the issues to show
 * before sending. The server checks the ranges; this only catches empty and non-numeric values.
 */
export function recurrenceInput(state: RepeatState): {
  input: Record<string, unknown>;
  issues: Issue[];
} {
  const issues: Issue[] = [];
  const interval = Number.parseInt(state.interval(), 10);
  if (!Number.isInteger(interval)) {
    issues.push({ path: ['interval'], message: 'Enter a whole number.' });
  }
  const input: Record<string, unknown> = {
    frequency: state.repeats(),
    interval,
    monthlyKind: state.repeats() === 'MONTHLY' ? state.monthlyKind() : null,
  };
  if (state.endKind() === 'until') {
    if (!state.until()) {
      issues.push({ path: ['until'], message: 'Choose the date of the last session.' });
    }
    input.until = state.until();
  } else {
    const count = Number.parseInt(state.count(), 10);
    if (!Number.isInteger(count)) {
      issues.push({ path: ['count'], message: 'Enter a whole number.' });
    }
    input.count = count;
  }
  return { input, issues };
}

interface MonthlyChoice {
  value: string;
  label: string;
  available: boolean;
}

/** Lists the ways a monthly series can pick its day, named after the first session's date. */
function monthlyChoices(startsAtLocal: string): MonthlyChoice[] {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(startsAtLocal);
  if (!match) {
    return [
      { value: 'DAY_OF_MONTH', label: 'The same day of the month', available: true },
      {
        value: 'NTH_WEEKDAY',
        label: 'The same weekday, such as the second Tuesday',
        available: true,
      },
      { value: 'LAST_WEEKDAY', label: 'The last such weekday of the month', available: true },
    ];
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const weekday = WEEKDAYS[new Date(year, month - 1, day).getDay()];
  const daysInMonth = new Date(year, month, 0).getDate();
  const week = Math.ceil(day / 7);
  return [
    {
      value: 'DAY_OF_MONTH',
      label: `Day ${day} of each month${day > 28 ? ' (months without it are skipped)' : ''}`,
      available: true,
    },
    {
      value: 'NTH_WEEKDAY',
      label:
        week <= 4
          ? `The ${WEEK_ORDINALS[week - 1]} ${weekday} of each month`
          : `The fifth ${weekday} (not every month has one)`,
      available: week <= 4,
    },
    {
      value: 'LAST_WEEKDAY',
      label:
        day + 7 > daysInMonth
          ? `The last ${weekday} of each month`
          : `The last ${weekday} (the first session is not on one)`,
      available: day + 7 > daysInMonth,
    },
  ];
}

function RadioGroup(props: {
  legend: string;
  name: string;
  value: string;
  choices: MonthlyChoice[];
  onValue: (value: string) => void;
  error?: string;
}) {
  const errorId = () => `${props.name}-error`;
  return (
    <fieldset
      class="field"
      classList={{ invalid: Boolean(props.error) }}
      aria-describedby={props.error ? errorId() : undefined}
    >
      <legend>{props.legend}</legend>
      <For each={props.choices}>
        {(choice) => (
          <label class="check">
            <input
              type="radio"
              name={props.name}
              value={choice.value}
              checked={props.value === choice.value}
              disabled={!choice.available}
              onChange={() => props.onValue(choice.value)}
            />
            {choice.label}
          </label>
        )}
      </For>
      <Show when={props.error}>
        <p class="field-error" id={errorId()}>
          {props.error}
        </p>
      </Show>
    </fieldset>
  );
}

/**
 * Renders "Repeats: never, weekly or monthly" with the interval, the day of the month for
 * monthly series, and the end: on a date or after a number of sessions.
 */
export function RepeatFields(props: {
  state: RepeatState;
  /** The first session's `datetime-local` value, which names the monthly choices. */
  startsAt: string;
  issue: (field: string) => string | undefined;
}) {
  const state = props.state;
  const weekly = () => state.repeats() === 'WEEKLY';
  return (
    <>
      <div class="field">
        <label for="live-series-repeats">Repeats</label>
        <select
          id="live-series-repeats"
          value={state.repeats()}
          onChange={(event) => state.setRepeats(event.currentTarget.value as Repeats)}
        >
          <option value="NEVER">Never</option>
          <option value="WEEKLY">Weekly</option>
          <option value="MONTHLY">Monthly</option>
        </select>
      </div>
      <Show when={state.repeats() !== 'NEVER'}>
        <Field
          label={weekly() ? 'Weeks between sessions' : 'Months between sessions'}
          name="live-series-interval"
          type="number"
          inputMode="numeric"
          min={1}
          max={weekly() ? 4 : 12}
          hint={weekly() ? '1 to 4; 2 means every other week.' : '1 to 12.'}
          value={state.interval()}
          onValue={state.setInterval}
          error={props.issue('interval')}
        />
        <Show when={state.repeats() === 'MONTHLY'}>
          <RadioGroup
            legend="Day of the month"
            name="live-series-monthly-kind"
            value={state.monthlyKind()}
            choices={monthlyChoices(props.startsAt)}
            onValue={state.setMonthlyKind}
            error={props.issue('monthlyKind')}
          />
        </Show>
        <RadioGroup
          legend="Series ends"
          name="live-series-end"
          value={state.endKind()}
          choices={[
            { value: 'count', label: 'After a number of sessions', available: true },
            { value: 'until', label: 'On a date', available: true },
          ]}
          onValue={(value) => state.setEndKind(value as EndKind)}
        />
        <Show
          when={state.endKind() === 'until'}
          fallback={
            <Field
              label="Number of sessions"
              name="live-series-count"
              type="number"
              inputMode="numeric"
              min={1}
              max={52}
              hint="Up to 52, all within a year of the first session."
              value={state.count()}
              onValue={state.setCount}
              error={props.issue('count')}
            />
          }
        >
          <Field
            label="Date of the last session"
            name="live-series-until"
            type="date"
            hint="At most one year after the first session."
            value={state.until()}
            onValue={state.setUntil}
            error={props.issue('until')}
          />
        </Show>
      </Show>
    </>
  );
}
