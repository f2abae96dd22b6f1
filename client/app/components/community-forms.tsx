import { useNavigate } from '@solidjs/router';
import { createSignal, For } from 'solid-js';
import { issueFor, type MutationOutcome, runMutation } from '../lib/graphql.ts';
import { FOCUS_LABELS, ISTE_STANDARDS, mutationDocument } from '../lib/operations.ts';
import { viewerTimeZone } from '../lib/time.ts';
import { Field, FormMessage } from './field.tsx';

/** Runs a form's mutation with a busy flag and keeps the outcome for messages. */
function createSubmission() {
  const [busy, setBusy] = createSignal(false);
  const [outcome, setOutcome] = createSignal<MutationOutcome<unknown> | null>(null);
  const submit = async <Data,>(run: () => Promise<MutationOutcome<Data>>) => {
    setBusy(true);
    const result = await run();
    setBusy(false);
    setOutcome(result as MutationOutcome<unknown>);
    return result;
  };
  const formError = () => (outcome()?.issues ? 'Fix the fields marked below.' : outcome()?.message);
  return { busy, outcome, submit, formError };
}

export function NewThreadForm(props: { communityId: string; canAnnounce: boolean }) {
  const navigate = useNavigate();
  const [title, setTitle] = createSignal('');
  const [body, setBody] = createSignal('');
  const [kind, setKind] = createSignal('DISCUSSION');
  const submission = createSubmission();

  return (
    <details class="panel">
      <summary>Start a thread</summary>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          const result = await submission.submit(() =>
            runMutation<{ id: string }>(
              mutationDocument('createThread', 'CreateThreadInput', 'id'),
              'createThread',
              {
                communityId: props.communityId,
                title: title(),
                body: body(),
                kind: kind(),
              },
            ),
          );
          if (result.data) {
            navigate(`/t/${encodeURIComponent(result.data.id)}`);
          }
        }}
      >
        <Field
          label="Title"
          name="thread-title"
          maxLength={200}
          required
          value={title()}
          onValue={setTitle}
          error={issueFor(submission.outcome(), 'title')}
        />
        <Field
          label="Body"
          name="thread-body"
          multiline
          rows={6}
          hint="Markdown works: **bold**, lists, links."
          value={body()}
          onValue={setBody}
          error={issueFor(submission.outcome(), 'body')}
        />
        <div class="field">
          <label for="thread-kind">Kind</label>
          <select
            id="thread-kind"
            value={kind()}
            onChange={(event) => setKind(event.currentTarget.value)}
          >
            <option value="DISCUSSION">Discussion</option>
            <option value="QUESTION">Question (one reply can be accepted)</option>
            {props.canAnnounce && (
              <option value="ANNOUNCEMENT">Announcement (only moderators reply)</option>
            )}
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

function toInstant(localValue: string): string | null {
  if (!localValue) {
    return null;
  }
  const date = new Date(localValue);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export function ScheduleForm(props: { communityId: string; onScheduled: () => void }) {
  const [title, setTitle] = createSignal('');
  const [description, setDescription] = createSignal('');
  const [startsAt, setStartsAt] = createSignal('');
  const [endsAt, setEndsAt] = createSignal('');
  const [joinUrl, setJoinUrl] = createSignal('');
  const [success, setSuccess] = createSignal('');
  const submission = createSubmission();

  return (
    <details class="panel">
      <summary>Schedule a live session</summary>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          setSuccess('');
          const result = await submission.submit(() =>
            runMutation<{ id: string; title: string }>(
              mutationDocument('scheduleLiveSession', 'ScheduleLiveSessionInput', 'id title'),
              'scheduleLiveSession',
              {
                communityId: props.communityId,
                title: title(),
                description: description(),
                startsAt: toInstant(startsAt()),
                endsAt: toInstant(endsAt()),
                timeZone: viewerTimeZone(),
                joinUrl: joinUrl().trim() || null,
              },
            ),
          );
          if (result.data) {
            setSuccess(`Scheduled “${result.data.title}”.`);
            setTitle('');
            setDescription('');
            props.onScheduled();
          }
        }}
      >
        <Field
          label="Title"
          name="session-title"
          maxLength={200}
          required
          value={title()}
          onValue={setTitle}
          error={issueFor(submission.outcome(), 'title')}
        />
        <Field
          label="Description"
          name="session-description"
          multiline
          rows={3}
          value={description()}
          onValue={setDescription}
        />
        <Field
          label="Starts"
          name="session-starts"
          type="datetime-local"
          required
          hint={`Your time zone: ${viewerTimeZone()}`}
          value={startsAt()}
          onValue={setStartsAt}
          error={issueFor(submission.outcome(), 'startsAt')}
        />
        <Field
          label="Ends"
          name="session-ends"
          type="datetime-local"
          required
          value={endsAt()}
          onValue={setEndsAt}
          error={issueFor(submission.outcome(), 'endsAt')}
        />
        <Field
          label="Meeting link"
          name="session-url"
          type="url"
          placeholder="https://"
          value={joinUrl()}
          onValue={setJoinUrl}
          error={issueFor(submission.outcome(), 'joinUrl')}
        />
        <FormMessage
          error={
            startsAt() && endsAt()
              ? submission.formError()
              : submission.outcome()
                ? 'Choose a start and an end.'
                : undefined
          }
          success={success()}
        />
        <button type="submit" disabled={submission.busy()}>
          {submission.busy() ? 'Scheduling…' : 'Schedule'}
        </button>
      </form>
    </details>
  );
}

export function NewBadgeForm(props: { communityId: string; onCreated: () => void }) {
  const [name, setName] = createSignal('');
  const [description, setDescription] = createSignal('');
  const [criteria, setCriteria] = createSignal('');
  const [standards, setStandards] = createSignal<string[]>([]);
  const [success, setSuccess] = createSignal('');
  const submission = createSubmission();

  return (
    <details class="panel">
      <summary>Define a badge</summary>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          setSuccess('');
          const result = await submission.submit(() =>
            runMutation<{ name: string }>(
              mutationDocument('createBadge', 'CreateBadgeInput', 'id name'),
              'createBadge',
              {
                communityId: props.communityId,
                name: name(),
                description: description(),
                criteria: criteria(),
                isteStandards: standards(),
              },
            ),
          );
          if (result.data) {
            setSuccess(`Created the badge “${result.data.name}”.`);
            setName('');
            setDescription('');
            setCriteria('');
            setStandards([]);
            props.onCreated();
          }
        }}
      >
        <Field
          label="Name"
          name="badge-name"
          maxLength={120}
          required
          value={name()}
          onValue={setName}
          error={issueFor(submission.outcome(), 'name')}
        />
        <Field
          label="Description"
          name="badge-description"
          multiline
          rows={2}
          value={description()}
          onValue={setDescription}
          error={issueFor(submission.outcome(), 'description')}
        />
        <Field
          label="Criteria"
          name="badge-criteria"
          multiline
          rows={3}
          hint="What earns the badge. Markdown works."
          value={criteria()}
          onValue={setCriteria}
          error={issueFor(submission.outcome(), 'criteria')}
        />
        <fieldset class="field">
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
                {standard[0]}
                {standard.slice(1).toLowerCase()}
              </label>
            )}
          </For>
          <p class="field-error">{issueFor(submission.outcome(), 'isteStandards')}</p>
        </fieldset>
        <FormMessage error={submission.formError()} success={success()} />
        <button type="submit" disabled={submission.busy()}>
          {submission.busy() ? 'Creating…' : 'Create badge'}
        </button>
      </form>
    </details>
  );
}

export function NewCommunityForm() {
  const navigate = useNavigate();
  const [name, setName] = createSignal('');
  const [description, setDescription] = createSignal('');
  const [focus, setFocus] = createSignal('STEM');
  const [visibility, setVisibility] = createSignal('PUBLIC');
  const submission = createSubmission();

  return (
    <details class="panel">
      <summary>Start a community</summary>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          const result = await submission.submit(() =>
            runMutation<{ slug: string }>(
              mutationDocument('createCommunity', 'CreateCommunityInput', 'id slug'),
              'createCommunity',
              {
                name: name(),
                description: description(),
                focus: focus(),
                visibility: visibility(),
              },
            ),
          );
          if (result.data) {
            navigate(`/c/${result.data.slug}`);
          }
        }}
      >
        <Field
          label="Name"
          name="community-name"
          maxLength={120}
          required
          value={name()}
          onValue={setName}
          error={issueFor(submission.outcome(), 'name')}
        />
        <Field
          label="What is it for?"
          name="community-description"
          multiline
          rows={3}
          hint="Markdown works."
          value={description()}
          onValue={setDescription}
          error={issueFor(submission.outcome(), 'description')}
        />
        <div class="field">
          <label for="community-focus">Focus</label>
          <select
            id="community-focus"
            value={focus()}
            onChange={(event) => setFocus(event.currentTarget.value)}
          >
            <For each={Object.entries(FOCUS_LABELS)}>
              {([value, label]) => <option value={value}>{label}</option>}
            </For>
          </select>
        </div>
        <div class="field">
          <label for="community-visibility">Who can read it</label>
          <select
            id="community-visibility"
            value={visibility()}
            onChange={(event) => setVisibility(event.currentTarget.value)}
            aria-describedby="community-visibility-error"
          >
            <option value="PUBLIC">Public: anyone; signed-in educators may join</option>
            <option value="DISTRICT">District: staff of your district</option>
            <option value="PRIVATE">Private: members only</option>
          </select>
          <p class="field-error" id="community-visibility-error">
            {issueFor(submission.outcome(), 'visibility')}
          </p>
        </div>
        <FormMessage error={submission.formError()} />
        <button type="submit" disabled={submission.busy()}>
          {submission.busy() ? 'Creating…' : 'Create community'}
        </button>
      </form>
    </details>
  );
}

export function AwardBadgeForm(props: {
  badgeId: string;
  members: { id: string; displayName: string }[];
  onAwarded: () => void;
}) {
  const [recipientId, setRecipientId] = createSignal('');
  const [note, setNote] = createSignal('');
  const [success, setSuccess] = createSignal('');
  const submission = createSubmission();

  return (
    <details class="panel">
      <summary>Award this badge</summary>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          setSuccess('');
          const result = await submission.submit(() =>
            runMutation<{ recipient: { displayName: string } }>(
              mutationDocument('awardBadge', 'AwardBadgeInput', 'id recipient { displayName }'),
              'awardBadge',
              { badgeId: props.badgeId, recipientId: recipientId(), note: note() },
            ),
          );
          if (result.data) {
            setSuccess(`Awarded to ${result.data.recipient.displayName}.`);
            setNote('');
            props.onAwarded();
          }
        }}
      >
        <div class="field">
          <label for="award-recipient">Member</label>
          <select
            id="award-recipient"
            required
            value={recipientId()}
            onChange={(event) => setRecipientId(event.currentTarget.value)}
          >
            <option value="">Choose a member</option>
            <For each={props.members}>
              {(member) => <option value={member.id}>{member.displayName}</option>}
            </For>
          </select>
        </div>
        <Field
          label="Note to the recipient"
          name="award-note"
          multiline
          rows={2}
          value={note()}
          onValue={setNote}
          error={issueFor(submission.outcome(), 'note')}
        />
        <FormMessage
          error={
            recipientId() || !submission.outcome() ? submission.formError() : 'Choose a member.'
          }
          success={success()}
        />
        <button type="submit" disabled={submission.busy() || !recipientId()}>
          {submission.busy() ? 'Awarding…' : 'Award badge'}
        </button>
      </form>
    </details>
  );
}
