import { createSignal, Show } from 'solid-js';
import { runMutation } from '../../lib/graphql.ts';
import { mutationDocument } from '../../lib/operations.ts';
import { viewer } from '../../lib/session.ts';
import { RemoveContentButton } from './remove-content.tsx';
import { ReportButton } from './report-dialog.tsx';

/**
 * Renders the "Report" action of a thread or post for signed-in people other than its author,
 * and for the community's moderators "Remove", or "Restore" once it is removed.
 */
export function ModerationActions(props: {
  kind: 'post' | 'thread';
  id: string;
  /** What it is, for the report dialog's title, such as "reply by Maya Chen". */
  label: string;
  authorId: string | undefined;
  viewerCanModerate: boolean;
  /** Whether a moderator removed it, which only moderators see. */
  removed?: boolean;
  onRemoved: () => void;
}) {
  const [restoreError, setRestoreError] = createSignal('');
  const restore = async () => {
    const field = props.kind === 'post' ? 'restorePost' : 'restoreThread';
    const input = props.kind === 'post' ? { postId: props.id } : { threadId: props.id };
    const inputType = props.kind === 'post' ? 'RestorePostInput' : 'RestoreThreadInput';
    const outcome = await runMutation(mutationDocument(field, inputType, 'id'), field, input);
    setRestoreError(outcome.data ? '' : (outcome.message ?? 'Restoring failed.'));
    if (outcome.data) {
      props.onRemoved();
    }
  };

  return (
    <>
      <Show when={viewer() && viewer()?.id !== props.authorId && !props.removed}>
        <ReportButton subjectId={props.id} subjectLabel={props.label} />
      </Show>
      <Show when={props.viewerCanModerate && !props.removed}>
        <RemoveContentButton kind={props.kind} id={props.id} onRemoved={props.onRemoved} />
      </Show>
      <Show when={props.viewerCanModerate && props.removed}>
        <button type="button" class="link-button" onClick={() => void restore()}>
          Restore
        </button>
      </Show>
      <Show when={restoreError()}>
        <span class="form-error" role="alert">
          {restoreError()}
        </span>
      </Show>
    </>
  );
}
