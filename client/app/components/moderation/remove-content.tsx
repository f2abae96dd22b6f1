import { createSignal, Show } from 'solid-js';
import { runMutation } from '../../lib/graphql.ts';
import { mutationDocument } from '../../lib/operations.ts';
import { createSubmission } from '../../lib/submission.ts';
import { Field, FormMessage } from '../field.tsx';

/**
 * Renders a moderator's "Remove" button for a thread or post. It opens a short form for the
 * reason, which the audit log keeps, and requests confirmation before removing.
 */
export function RemoveContentButton(props: {
  kind: 'post' | 'thread';
  id: string;
  onRemoved: () => void;
}) {
  const [open, setOpen] = createSignal(false);
  const [reason, setReason] = createSignal('');
  const submission = createSubmission(['reason']);
  const field = () => (props.kind === 'post' ? 'removePost' : 'removeThread');
  const noun = () => (props.kind === 'post' ? 'reply' : 'thread');

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (!window.confirm(`Remove this ${noun()} for everyone but moderators?`)) {
      return;
    }
    const input =
      props.kind === 'post'
        ? { postId: props.id, reason: reason() }
        : { threadId: props.id, reason: reason() };
    const result = await submission.submit(() =>
      runMutation(
        mutationDocument(
          field(),
          props.kind === 'post' ? 'RemovePostInput' : 'RemoveThreadInput',
          'id',
        ),
        field(),
        input,
      ),
    );
    if (result.data) {
      setOpen(false);
      setReason('');
      props.onRemoved();
    }
  };

  return (
    <>
      <button
        type="button"
        class="link-button danger"
        aria-expanded={open() ? 'true' : 'false'}
        onClick={() => setOpen(!open())}
      >
        Remove
      </button>
      <Show when={open()}>
        <form class="remove-form" onSubmit={submit}>
          <Field
            label={`Reason for removing this ${noun()}`}
            name={`remove-${props.id}`}
            hint="Kept in the audit log and shown to the author. Up to 500 characters."
            required
            maxLength={500}
            value={reason()}
            onValue={setReason}
            error={submission.issue('reason')}
          />
          <FormMessage error={submission.formError()} />
          <div class="actions">
            <button type="submit" class="danger" disabled={submission.busy()}>
              {submission.busy() ? 'Removing…' : `Remove ${noun()}`}
            </button>
            <button type="button" class="secondary" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      </Show>
    </>
  );
}
