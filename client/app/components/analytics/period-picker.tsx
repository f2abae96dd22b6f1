import { createEffect, createSignal, on } from 'solid-js';
import type { Bucket } from '../../lib/analytics.ts';

export interface PickedPeriod {
  from: string;
  to: string;
  bucket: Bucket;
}

/**
 * Picks the first and last day of a period (UTC dates, both included) and the bucket of the
 * trend. The period changes when the form is applied, not on each keystroke.
 */
export function PeriodPicker(props: {
  value: PickedPeriod;
  onChange: (next: PickedPeriod) => void;
}) {
  const [from, setFrom] = createSignal(props.value.from);
  const [to, setTo] = createSignal(props.value.to);
  const [bucket, setBucket] = createSignal<Bucket>(props.value.bucket);
  // Back and Forward change the period in the address: show it in the fields.
  createEffect(
    on(
      () => props.value,
      (value) => {
        setFrom(value.from);
        setTo(value.to);
        setBucket(value.bucket);
      },
      { defer: true },
    ),
  );
  return (
    <form
      class="filters period-picker"
      aria-label="Period"
      onSubmit={(event) => {
        event.preventDefault();
        props.onChange({ from: from(), to: to(), bucket: bucket() });
      }}
    >
      <label class="field">
        <span>First day</span>
        <input
          type="date"
          name="from"
          required
          value={from()}
          onInput={(event) => setFrom(event.currentTarget.value)}
        />
      </label>
      <label class="field">
        <span>Last day</span>
        <input
          type="date"
          name="to"
          required
          value={to()}
          onInput={(event) => setTo(event.currentTarget.value)}
        />
      </label>
      <label class="field">
        <span>Trend by</span>
        <select
          name="bucket"
          value={bucket()}
          onChange={(event) => setBucket(event.currentTarget.value as Bucket)}
        >
          <option value="DAY">Day</option>
          <option value="WEEK">Week</option>
          <option value="MONTH">Month</option>
        </select>
      </label>
      <button type="submit">Show</button>
      <p class="hint">Days are in UTC; a period is at most 366 days.</p>
    </form>
  );
}
