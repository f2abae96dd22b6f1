import { createSignal, For, Show } from 'solid-js';
import { runMutation } from '../lib/graphql.ts';
import { mutationDocument } from '../lib/operations.ts';
import { createSubmission } from '../lib/submission.ts';
import { Field, FormMessage } from './field.tsx';

export function AwardBadgeForm(props: {
  badgeId: string;
  members: { id: string; displayName: string }[];
  onAwarded: () => void;
}) {
  const [recipientId, setRecipientId] = createSignal('');
  const [note, setNote] = createSignal('');
  const [success, setSuccess] = createSignal('');
  const submission = createSubmission(['recipientId', 'note']);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setSuccess('');
    if (!recipientId()) {
      submission.reject([{ path: ['recipientId'], message: 'Choose a member.' }]);
      return;
    }
    const result = await submission.submit(() =>
      runMutation<{ recipient: { displayName: string } }>(
        mutationDocument('awardBadge', 'AwardBadgeInput', 'id recipient { displayName }'),
        'awardBadge',
        { badgeId: props.badgeId, recipientId: recipientId(), note: note() },
      ),
    );
    if (result.data) {
      setSuccess(`Awarded to ${result.data.recipient.displayName}.`);
      setRecipientId('');
      setNote('');
      props.onAwarded();
    }
  };

  return (
    <details class="panel">
      <summary>Award this badge</summary>
      <form onSubmit={submit} novalidate>
        <div class="field" classList={{ invalid: Boolean(submission.issue('recipientId')) }}>
          <label for="award-recipient">Member</label>
          <select
            id="award-recipient"
            required
            value={recipientId()}
            onChange={(event) => setRecipientId(event.currentTarget.value)}
            aria-describedby={submission.issue('recipientId') ? 'award-recipient-error' : undefined}
          >
            <option value="">Choose a member</option>
            <For each={props.members}>
              {(member) => <option value={member.id}>{member.displayName}</option>}
            </For>
          </select>
          <Show when={submission.issue('recipientId')}>
            <p class="field-error" id="award-recipient-error">
              {submission.issue('recipientId')}
            </p>
          </Show>
        </div>
        <Field
          label="Note to the recipient"
          name="award-note"
          multiline
          rows={2}
          value={note()}
          onValue={setNote}
          error={submission.issue('note')}
        />
        <FormMessage error={submission.formError()} success={success()} />
        <button type="submit" disabled={submission.busy()}>
          {submission.busy() ? 'Awarding…' : 'Award badge'}
        </button>
      </form>
    </details>
  );
}
