import { useNavigate } from '@solidjs/router';
import { createSignal, For, Show } from 'solid-js';
import { type MutationOutcome, runMutation } from '../lib/graphql.ts';
import { ISTE_STANDARDS, mutationDocument } from '../lib/operations.ts';
import { plainIssue } from '../lib/plain-issues.ts';
import { capacityMessage, MAX_CAPACITY, parseCapacity, toInstant } from '../lib/schedule-input.ts';
import { describeSeriesRule, type SeriesRule } from '../lib/series-summary.ts';
import { createSubmission } from '../lib/submission.ts';
import { viewerTimeZone } from '../lib/time.ts';
import { BadgeImageField, createBadgeImageState } from './badge-image-field.tsx';
import { Field, FormMessage } from './field.tsx';
import { createRepeatState, RepeatFields, recurrenceInput } from './live-series-fields.tsx';
import { MentionPicker } from './mention-picker.tsx';

export function NewThreadForm(props: { communityId: string; canAnnounce: boolean }) {
  const navigate = useNavigate();
  const [title, setTitle] = createSignal('');
  const [body, setBody] = createSignal('');
  const [kind, setKind] = createSignal('DISCUSSION');
  const submission = createSubmission(['title', 'body']);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const result = await submission.submit(() =>
      runMutation<{ id: string }>(
        mutationDocument('createThread', 'CreateThreadInput', 'id'),
        'createThread',
        { communityId: props.communityId, title: title(), body: body(), kind: kind() },
      ),
    );
    if (result.data) {
      navigate(`/t/${encodeURIComponent(result.data.id)}`);
    }
  };

  return (
    <details class="panel">
      <summary>Start a thread</summary>
      <form onSubmit={submit}>
        <Field
          label="Thread title"
          name="thread-title"
          maxLength={200}
          required
          value={title()}
          onValue={setTitle}
          error={submission.issue('title')}
        />
        <Field
          label="What do you want to discuss?"
          name="thread-body"
          multiline
          rows={6}
          hint="Markdown works: **bold**, lists, links."
          value={body()}
          onValue={setBody}
          error={submission.issue('body')}
        />
        <MentionPicker
          sourceId={props.communityId}
          textBoxId="field-thread-body"
          onText={setBody}
        />
        <div class="field">
          <label for="thread-kind">Thread kind</label>
          <select
            id="thread-kind"
            value={kind()}
            onChange={(event) => setKind(event.currentTarget.value)}
          >
            <option value="DISCUSSION">Discussion</option>
            <option value="QUESTION">Question (one reply can be accepted)</option>
            <Show when={props.canAnnounce}>
              <option value="ANNOUNCEMENT">Announcement (only moderators reply)</option>
            </Show>
          </select>
        </div>
        <FormMessage error={submission.formError()} />
        <button type="submit" disabled={submission.busy()}>
          {submission.busy() ? 'Posting…' : 'Post thread'}
        </button>
      </form>
    </details>
  );
}

/** The labels of the schedule form's fields, by API field name, for plain validation messages. */
const SCHEDULE_LABELS: Record<string, string> = {
  title: 'Live session title',
  description: 'Live session description',
  startsAt: 'Starts',
  endsAt: 'Ends',
  joinUrl: 'Meeting link',
  capacity: 'Seats (capacity)',
  interval: 'Weeks or months between sessions',
  until: 'Date of the last session',
  count: 'Number of sessions',
};

const SERIES_SELECTION = `id title frequency interval monthlyKind startTime timeZone count until
  occurrences(first: 1) { nodes { startsAt } }`;

type ScheduledSeries = SeriesRule & {
  id: string;
  title: string;
  occurrences: { nodes: { startsAt: string }[] };
};

export function ScheduleForm(props: { communityId: string; onScheduled: () => void }) {
  const [title, setTitle] = createSignal('');
  const [description, setDescription] = createSignal('');
  const [startsAt, setStartsAt] = createSignal('');
  const [endsAt, setEndsAt] = createSignal('');
  const [joinUrl, setJoinUrl] = createSignal('');
  const [capacity, setCapacity] = createSignal('');
  const [success, setSuccess] = createSignal('');
  const repeat = createRepeatState();
  const submission = createSubmission([
    'title',
    'description',
    'startsAt',
    'endsAt',
    'joinUrl',
    'capacity',
    'interval',
    'monthlyKind',
    'until',
    'count',
  ]);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setSuccess('');
    const start = toInstant(startsAt());
    const end = toInstant(endsAt());
    const repeats = repeat.repeats() !== 'NEVER';
    const recurrence = recurrenceInput(repeat);
    const seats = parseCapacity(capacity(), 1);
    if (!start || !end || seats === undefined || (repeats && recurrence.issues.length > 0)) {
      submission.reject([
        ...(start ? [] : [{ path: ['startsAt'], message: 'Choose a start date and time.' }]),
        ...(end ? [] : [{ path: ['endsAt'], message: 'Choose an end date and time.' }]),
        ...(seats === undefined ? [{ path: ['capacity'], message: capacityMessage(1) }] : []),
        ...(repeats ? recurrence.issues : []),
      ]);
      return;
    }
    const input = {
      communityId: props.communityId,
      title: title(),
      description: description(),
      startsAt: start,
      endsAt: end,
      timeZone: viewerTimeZone(),
      joinUrl: joinUrl().trim() || null,
      capacity: seats,
    };
    const result = await submission.submit(
      async (): Promise<MutationOutcome<{ title: string; series?: ScheduledSeries }>> => {
        if (!repeats) {
          return runMutation<{ title: string }>(
            mutationDocument('scheduleLiveSession', 'ScheduleLiveSessionInput', 'id title'),
            'scheduleLiveSession',
            input,
          );
        }
        const outcome = await runMutation<ScheduledSeries>(
          mutationDocument('scheduleLiveSeries', 'ScheduleLiveSeriesInput', SERIES_SELECTION),
          'scheduleLiveSeries',
          { ...input, ...recurrence.input },
        );
        return {
          ...outcome,
          data: outcome.data && { title: outcome.data.title, series: outcome.data },
        };
      },
    );
    if (result.data) {
      const series = result.data.series;
      const firstStartsAt = series?.occurrences.nodes[0]?.startsAt;
      const summary =
        series && firstStartsAt ? `: ${describeSeriesRule(series, firstStartsAt)}` : '';
      setSuccess(`Scheduled “${result.data.title}”${summary}.`);
      repeat.reset();
      setTitle('');
      setDescription('');
      setStartsAt('');
      setEndsAt('');
      setJoinUrl('');
      setCapacity('');
      props.onScheduled();
    }
  };
  const issue = (field: string) => plainIssue(field, submission.issue(field), SCHEDULE_LABELS);

  return (
    <details class="panel">
      <summary>Schedule a live session</summary>
      <form onSubmit={submit} novalidate>
        <Field
          label="Live session title"
          name="live-session-title"
          maxLength={200}
          required
          value={title()}
          onValue={setTitle}
          error={issue('title')}
        />
        <Field
          label="Live session description"
          name="live-session-description"
          multiline
          rows={3}
          value={description()}
          onValue={setDescription}
          error={issue('description')}
        />
        <Field
          label="Starts"
          name="live-session-starts"
          type="datetime-local"
          required
          hint={`In your time zone, ${viewerTimeZone()}.`}
          value={startsAt()}
          onValue={setStartsAt}
          error={issue('startsAt')}
        />
        <Field
          label="Ends"
          name="live-session-ends"
          type="datetime-local"
          required
          value={endsAt()}
          onValue={setEndsAt}
          error={issue('endsAt')}
        />
        <RepeatFields state={repeat} startsAt={startsAt()} issue={issue} />
        <Field
          label="Meeting link"
          name="live-session-url"
          type="url"
          placeholder="https://"
          value={joinUrl()}
          onValue={setJoinUrl}
          error={issue('joinUrl')}
        />
        <Field
          label="Seats (capacity)"
          name="live-session-capacity"
          type="number"
          inputMode="numeric"
          min={1}
          max={MAX_CAPACITY}
          hint="Optional. Once the seats are taken, more people who answer Going join a waitlist."
          value={capacity()}
          onValue={setCapacity}
          error={issue('capacity')}
        />
        <FormMessage error={submission.formError()} success={success()} />
        <button type="submit" disabled={submission.busy()}>
          {submission.busy() ? 'Scheduling…' : 'Schedule'}
        </button>
      </form>
    </details>
  );
}

/** Defines a badge of a community, or of a district when given districtId. */
export function NewBadgeForm(props: {
  communityId?: string;
  districtId?: string;
  onCreated: () => void;
}) {
  const [name, setName] = createSignal('');
  const [description, setDescription] = createSignal('');
  const [criteria, setCriteria] = createSignal('');
  const [standards, setStandards] = createSignal<string[]>([]);
  const [kind, setKind] = createSignal<'PARTICIPATION' | 'MICROCREDENTIAL'>('PARTICIPATION');
  const [validForDays, setValidForDays] = createSignal('');
  const [success, setSuccess] = createSignal('');
  const image = createBadgeImageState();
  const submission = createSubmission([
    'name',
    'description',
    'criteria',
    'isteStandards',
    'validForDays',
    'imageUploadId',
    'imageTemplate',
  ]);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setSuccess('');
    const days = validForDays().trim();
    if (days !== '' && !/^\d+$/.test(days)) {
      submission.reject([{ path: ['validForDays'], message: 'Enter a whole number of days.' }]);
      return;
    }
    const imageInput = image.input();
    if ('issue' in imageInput) {
      submission.reject([{ path: ['imageUploadId'], message: imageInput.issue }]);
      return;
    }
    const result = await submission.submit(() =>
      runMutation<{ name: string }>(
        mutationDocument('createBadge', 'CreateBadgeInput', 'id name'),
        'createBadge',
        {
          ...(props.districtId
            ? { districtId: props.districtId }
            : { communityId: props.communityId }),
          name: name(),
          description: description(),
          criteria: criteria(),
          isteStandards: standards(),
          kind: kind(),
          ...(days !== '' && { validForDays: Number(days) }),
          ...imageInput,
        },
      ),
    );
    if (result.typename === 'ConflictError') {
      // A name taken in the community or district belongs beside the name field.
      submission.reject([{ path: ['name'], message: result.message ?? 'is already taken' }]);
      return;
    }
    if (result.data) {
      setSuccess(`Created the badge “${result.data.name}”.`);
      setName('');
      setDescription('');
      setCriteria('');
      setStandards([]);
      setKind('PARTICIPATION');
      setValidForDays('');
      image.reset();
      props.onCreated();
    }
  };

  return (
    <details class="panel">
      <summary>Define a badge</summary>
      <form onSubmit={submit}>
        <Field
          label="Badge name"
          name="badge-name"
          maxLength={120}
          required
          value={name()}
          onValue={setName}
          error={submission.issue('name')}
        />
        <Field
          label="Badge description"
          name="badge-description"
          multiline
          rows={2}
          value={description()}
          onValue={setDescription}
          error={submission.issue('description')}
        />
        <Field
          label="Badge criteria"
          name="badge-criteria"
          multiline
          rows={3}
          hint="What earns the badge. Markdown works."
          value={criteria()}
          onValue={setCriteria}
          error={submission.issue('criteria')}
        />
        <fieldset class="field">
          <legend>Kind</legend>
          <label class="check">
            <input
              type="radio"
              name="badge-kind"
              checked={kind() === 'PARTICIPATION'}
              onChange={() => setKind('PARTICIPATION')}
            />
            Participation badge: recognizes taking part
          </label>
          <label class="check">
            <input
              type="radio"
              name="badge-kind"
              checked={kind() === 'MICROCREDENTIAL'}
              onChange={() => setKind('MICROCREDENTIAL')}
            />
            Microcredential: certifies a skill
          </label>
        </fieldset>
        <Field
          label="Valid for (days)"
          name="badge-valid-for-days"
          inputMode="numeric"
          hint="Leave empty for awards that do not expire. At most 3650."
          value={validForDays()}
          onValue={setValidForDays}
          error={submission.issue('validForDays')}
        />
        <fieldset
          class="field"
          aria-describedby={submission.issue('isteStandards') ? 'badge-standards-error' : undefined}
        >
          <legend>ISTE Standards for Educators</legend>
          <For each={ISTE_STANDARDS}>
            {(standard) => (
              <label class="check">
                <input
                  type="checkbox"
                  checked={standards().includes(standard)}
                  onChange={(event) =>
                    setStandards((current) =>
                      event.currentTarget.checked
                        ? [...current, standard]
                        : current.filter((value) => value !== standard),
                    )
                  }
                />
                2.{ISTE_STANDARDS.indexOf(standard) + 1} {standard[0]}
                {standard.slice(1).toLowerCase()}
              </label>
            )}
          </For>
          <Show when={submission.issue('isteStandards')}>
            <p class="field-error" id="badge-standards-error">
              {submission.issue('isteStandards')}
            </p>
          </Show>
        </fieldset>
        <BadgeImageField
          state={image}
          issue={submission.issue('imageUploadId') ?? submission.issue('imageTemplate')}
        />
        <FormMessage error={submission.formError()} success={success()} />
        <button type="submit" disabled={submission.busy() || image.progress() !== null}>
          {submission.busy() ? 'Creating…' : 'Create badge'}
        </button>
      </form>
    </details>
  );
}
