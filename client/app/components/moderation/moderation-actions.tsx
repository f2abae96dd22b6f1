import { Show } from 'solid-js';
import { viewer } from '../../lib/session.ts';
import { RemoveContentButton } from './remove-content.tsx';
import { ReportButton } from './report-dialog.tsx';

/**
 * Renders the "Report" action of a thread or post for signed-in people other than its author,
 * and "Remove" for the community's moderators.
 */
export function ModerationActions(props: {
  kind: 'post' | 'thread';
  id: string;
  /** What it is, for the report dialog's title, such as "reply by Maya Chen". */
  label: string;
  authorId: string | undefined;
  viewerCanModerate: boolean;
  onRemoved: () => void;
}) {
  return (
    <>
      <Show when={viewer() && viewer()?.id !== props.authorId}>
        <ReportButton subjectId={props.id} subjectLabel={props.label} />
      </Show>
      <Show when={props.viewerCanModerate}>
        <RemoveContentButton kind={props.kind} id={props.id} onRemoved={props.onRemoved} />
      </Show>
    </>
  );
}
