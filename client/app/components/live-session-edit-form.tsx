import { createSignal, For, Show } from 'solid-js';
import { runMutation } from '../lib/graphql.ts';
import { mutationDocument } from '../lib/operations.ts';
import { plainIssue } from '../lib/plain-issues.ts';
import {
  capacityMessage,
  MAX_CAPACITY,
  parseCapacity,
  toDateTimeLocal,
  toInstant,
} from '../lib/schedule-input.ts';
import { createSubmission } from '../lib/submission.ts';
import { viewerTimeZone } from '../lib/time.ts';
import { Field, FormMessage } from './field.tsx';

/** The fields of a live session that the edit form shows and changes. */
export interface EditableLiveSession {
  id: string;
  title: string;
  description: string;
  startsAt: string;
  endsAt: string;
  timeZone: string;
  joinUrl: string | null;
  capacity: number | null;
}

const LABELS: Record<string, string> = {
  title: 'Title',
  description: 'Description',
  startsAt: 'Starts',
  endsAt: 'Ends',
  timeZone: 'Time zone',
  joinUrl: 'Meeting link',
  capacity: 'Seats (capacity)',
};

const UPDATE = mutationDocument('updateLiveSession', 'UpdateLiveSessionInput', 'id');

/** Lists the IANA time zones to choose from, with `current` kept when the list lacks it. */
function timeZoneChoices(current: string): string[] {
  const zones = Intl.supportedValuesOf('timeZone');
  return zones.includes(current) ? zones : [current, ...zones].sort();
}

/**
 * Builds the input of updateLiveSession from the fields that differ from the session, so that an
 * unchanged start of a live session is not rejected for being in the past. Returns null when
 * nothing changed.
 */
function changedFields(
  liveSession: EditableLiveSession,
  values: {
    title: string;
    description: string;
    startsAt: string;
    endsAt: string;
    timeZone: string;
    joinUrl: string;
    capacity: number | null;
  },
): Record<string, unknown> | null {
  const input: Record<string, unknown> = {};
  if (values.title !== liveSession.title) {
    input.title = values.title;
  }
  if (values.description !== liveSession.description) {
    input.description = values.description;
  }
  if (values.startsAt !== toDateTimeLocal(liveSession.startsAt)) {
    input.startsAt = toInstant(values.startsAt);
  }
  if (values.endsAt !== toDateTimeLocal(liveSession.endsAt)) {
    input.endsAt = toInstant(values.endsAt);
  }
  if (values.timeZone !== liveSession.timeZone) {
    input.timeZone = values.timeZone;
  }
  if (values.joinUrl.trim() !== (liveSession.joinUrl ?? '')) {
    input.joinUrl = values.joinUrl.trim();
  }
  // 0 and an empty field both mean no limit, which the API spells 0.
  const seats = values.capacity === 0 ? null : values.capacity;
  if (seats !== liveSession.capacity) {
    input.capacity = seats ?? 0;
  }
  return Object.keys(input).length > 0 ? { liveSessionId: liveSession.id, ...input } : null;
}

/**
 * Renders the form that changes a scheduled or live session: title, description, start and end
 * in the viewer's zone, the host's time zone, the meeting link and the seats. Only changed
 * fields are sent, and the API's validation issues show beside their fields in plain words.
 */
export function EditLiveSessionForm(props: {
  liveSession: EditableLiveSession;
  onSaved: () => void;
}) {
  const initial = props.liveSession;
  const [title, setTitle] = createSignal(initial.title);
  const [description, setDescription] = createSignal(initial.description);
  const [startsAt, setStartsAt] = createSignal(toDateTimeLocal(initial.startsAt));
  const [endsAt, setEndsAt] = createSignal(toDateTimeLocal(initial.endsAt));
  const [timeZone, setTimeZone] = createSignal(initial.timeZone);
  const [joinUrl, setJoinUrl] = createSignal(initial.joinUrl ?? '');
  const [capacity, setCapacity] = createSignal(initial.capacity?.toString() ?? '');
  const [success, setSuccess] = createSignal('');
  const submission = createSubmission(Object.keys(LABELS));
  const issue = (field: string) => plainIssue(field, submission.issue(field), LABELS);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setSuccess('');
    const seats = parseCapacity(capacity(), 0);
    const start = toInstant(startsAt());
    const end = toInstant(endsAt());
    if (!start || !end || seats === undefined) {
      submission.reject([
        ...(start ? [] : [{ path: ['startsAt'], message: 'Choose a start date and time.' }]),
        ...(end ? [] : [{ path: ['endsAt'], message: 'Choose an end date and time.' }]),
        ...(seats === undefined ? [{ path: ['capacity'], message: capacityMessage(0) }] : []),
      ]);
      return;
    }
    const input = changedFields(props.liveSession, {
      title: title(),
      description: description(),
      startsAt: startsAt(),
      endsAt: endsAt(),
      timeZone: timeZone(),
      joinUrl: joinUrl(),
      capacity: seats,
    });
    if (!input) {
      submission.clear();
      setSuccess('Nothing to save: no field was changed.');
      return;
    }
    const outcome = await submission.submit(() =>
      runMutation<{ id: string }>(UPDATE, 'updateLiveSession', input),
    );
    if (outcome.data) {
      setSuccess('Saved the changes.');
      props.onSaved();
    }
  };

  return (
    <form class="edit-live-session" onSubmit={submit} novalidate data-testid="edit-live-session">
      <Field
        label="Title"
        name="edit-live-session-title"
        maxLength={200}
        required
        value={title()}
        onValue={setTitle}
        error={issue('title')}
      />
      <Field
        label="Description"
        name="edit-live-session-description"
        multiline
        rows={3}
        hint="Markdown works: **bold**, lists, links."
        value={description()}
        onValue={setDescription}
        error={issue('description')}
      />
      <Field
        label="Starts"
        name="edit-live-session-starts"
        type="datetime-local"
        required
        hint={`In your time zone, ${viewerTimeZone()}.`}
        value={startsAt()}
        onValue={setStartsAt}
        error={issue('startsAt')}
      />
      <Field
        label="Ends"
        name="edit-live-session-ends"
        type="datetime-local"
        required
        value={endsAt()}
        onValue={setEndsAt}
        error={issue('endsAt')}
      />
      <div class="field" classList={{ invalid: Boolean(issue('timeZone')) }}>
        <label for="field-edit-live-session-zone">Time zone</label>
        <p class="hint" id="field-edit-live-session-zone-hint">
          The host's zone, which calendars and the session page show beside local times.
        </p>
        <select
          id="field-edit-live-session-zone"
          aria-invalid={issue('timeZone') ? 'true' : undefined}
          aria-describedby={`field-edit-live-session-zone-hint${issue('timeZone') ? ' field-edit-live-session-zone-error' : ''}`}
          value={timeZone()}
          onChange={(event) => setTimeZone(event.currentTarget.value)}
        >
          <For each={timeZoneChoices(initial.timeZone)}>
            {(zone) => (
              <option value={zone} selected={zone === timeZone()}>
                {zone}
              </option>
            )}
          </For>
        </select>
        <Show when={issue('timeZone')}>
          <p class="field-error" id="field-edit-live-session-zone-error">
            {issue('timeZone')}
          </p>
        </Show>
      </div>
      <Field
        label="Meeting link"
        name="edit-live-session-url"
        type="url"
        placeholder="https://"
        hint="Leave it empty to remove the link."
        value={joinUrl()}
        onValue={setJoinUrl}
        error={issue('joinUrl')}
      />
      <Field
        label="Seats (capacity)"
        name="edit-live-session-capacity"
        type="number"
        inputMode="numeric"
        min={0}
        max={MAX_CAPACITY}
        hint="Leave it empty or enter 0 for no limit. More seats go to the waitlist in order."
        value={capacity()}
        onValue={setCapacity}
        error={issue('capacity')}
      />
      <FormMessage error={submission.formError()} success={success()} />
      <button type="submit" disabled={submission.busy()}>
        {submission.busy() ? 'Saving…' : 'Save changes'}
      </button>
    </form>
  );
}
