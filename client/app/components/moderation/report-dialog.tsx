import { createSignal, createUniqueId, For, Show } from 'solid-js';
import { runMutation } from '../../lib/graphql.ts';
import { mutationDocument } from '../../lib/operations.ts';
import { createSubmission } from '../../lib/submission.ts';
import { Field, FormMessage } from '../field.tsx';
import './moderation.css';

export const REPORT_REASON_LABELS: Record<string, string> = {
  SPAM: 'Spam or advertising',
  HARASSMENT: 'Harassment or bullying',
  INAPPROPRIATE: 'Inappropriate for educators',
  OFF_TOPIC: 'Off topic',
  PRIVACY: "Shares someone's private information",
  OTHER: 'Something else',
  HELD_LINK: 'Links from a new account, held for review',
};

const PERSON_REASONS = Object.keys(REPORT_REASON_LABELS).filter((reason) => reason !== 'HELD_LINK');

/**
 * Renders a "Report" button that opens a modal dialog to report a thread, post, chat message or
 * person to the community's moderators, with a reason, optional details, and the outcome.
 */
export function ReportButton(props: {
  /** Global id of the Thread, Post, ChatMessage or User. */
  subjectId: string;
  /** The community in which a person is reported, which a person report requires. */
  communityId?: string;
  /** What is reported, for the dialog's title, such as "reply by Maya Chen". */
  subjectLabel: string;
  /** For a person: the communities to choose from, when `communityId` is not given. */
  communities?: { id: string; name: string }[];
}) {
  let dialog: HTMLDialogElement | undefined;
  const titleId = createUniqueId();
  const [reason, setReason] = createSignal('SPAM');
  const [details, setDetails] = createSignal('');
  const [chosenCommunity, setChosenCommunity] = createSignal('');
  const communityId = () => props.communityId ?? (chosenCommunity() || props.communities?.[0]?.id);
  const [sent, setSent] = createSignal(false);
  const submission = createSubmission(['reason', 'details', 'communityId', 'subjectId']);

  const open = () => {
    setSent(false);
    submission.clear();
    dialog?.showModal();
  };
  const close = () => dialog?.close();

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const result = await submission.submit(() =>
      runMutation(mutationDocument('reportContent', 'ReportContentInput', 'id'), 'reportContent', {
        subjectId: props.subjectId,
        reason: reason(),
        ...(communityId() && { communityId: communityId() }),
        ...(details().trim() && { details: details() }),
      }),
    );
    if (result.data) {
      setDetails('');
      setSent(true);
    }
  };

  return (
    <>
      <button type="button" class="link-button" onClick={open} data-testid="report-open">
        Report
      </button>
      <dialog ref={dialog} class="report-dialog" aria-labelledby={titleId}>
        <h2 id={titleId}>Report {props.subjectLabel}</h2>
        <Show
          when={!sent()}
          fallback={
            <>
              <p role="status" data-testid="report-sent">
                Thank you. The community's moderators will review your report.
              </p>
              <button type="button" onClick={close}>
                Close
              </button>
            </>
          }
        >
          <form method="dialog" onSubmit={submit}>
            <Show when={!props.communityId && props.communities}>
              {(communities) => (
                <div class="field">
                  <label for={`report-community-${titleId}`}>In which community?</label>
                  <select
                    id={`report-community-${titleId}`}
                    value={communityId() ?? ''}
                    onChange={(event) => setChosenCommunity(event.currentTarget.value)}
                  >
                    <For each={communities()}>
                      {(community) => <option value={community.id}>{community.name}</option>}
                    </For>
                  </select>
                  <Show when={submission.issue('communityId') || submission.issue('subjectId')}>
                    {(issue) => <p class="field-error">{issue()}</p>}
                  </Show>
                </div>
              )}
            </Show>
            <fieldset>
              <legend>Why are you reporting it?</legend>
              <For each={PERSON_REASONS}>
                {(value) => (
                  <label class="choice">
                    <input
                      type="radio"
                      name={`reason-${titleId}`}
                      value={value}
                      checked={reason() === value}
                      onChange={() => setReason(value)}
                    />{' '}
                    {REPORT_REASON_LABELS[value]}
                  </label>
                )}
              </For>
            </fieldset>
            <Field
              label="Details (optional)"
              name={`report-details-${titleId}`}
              hint="What should the moderators know? Up to 1,000 characters."
              multiline
              rows={3}
              maxLength={1000}
              value={details()}
              onValue={setDetails}
              error={submission.issue('details')}
            />
            <FormMessage error={submission.formError()} />
            <div class="actions">
              <button type="submit" disabled={submission.busy()} data-testid="report-submit">
                {submission.busy() ? 'Sending…' : 'Send report'}
              </button>
              <button type="button" class="secondary" onClick={close}>
                Cancel
              </button>
            </div>
          </form>
        </Show>
      </dialog>
    </>
  );
}
