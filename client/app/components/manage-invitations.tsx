import { createSignal, For, Show } from 'solid-js';
import { createAction, runMutation } from '../lib/graphql.ts';
import { mutationDocument } from '../lib/operations.ts';
import { createSubmission } from '../lib/submission.ts';
import { formatLocal } from '../lib/time.ts';
import { Field, FormMessage } from './field.tsx';
import { Empty } from './status.tsx';

export interface InvitationRow {
  id: string;
  email: string;
  state: string;
  createdAt: string;
  expiresAt: string;
  invitedBy: { displayName: string } | null;
}

export const INVITATION_STATE_LABELS: Record<string, string> = {
  PENDING: 'Pending',
  ACCEPTED: 'Accepted',
  EXPIRED: 'Expired',
  REVOKED: 'Revoked',
};

/** Sends an invitation by email, with an optional note for the mail. */
function InviteForm(props: { communityId: string; onInvited: () => void }) {
  const [email, setEmail] = createSignal('');
  const [message, setMessage] = createSignal('');
  const [success, setSuccess] = createSignal('');
  const submission = createSubmission(['email', 'message']);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setSuccess('');
    const result = await submission.submit(() =>
      runMutation<{ email: string }>(
        mutationDocument('inviteToCommunity', 'InviteToCommunityInput', 'id email'),
        'inviteToCommunity',
        {
          communityId: props.communityId,
          email: email().trim(),
          message: message().trim() || null,
        },
      ),
    );
    if (result.data) {
      setSuccess(`Invitation sent to ${result.data.email}.`);
      setEmail('');
      setMessage('');
      props.onInvited();
    }
  };

  return (
    <form onSubmit={submit} novalidate>
      <Field
        label="Email address"
        name="invite-email"
        type="email"
        autocomplete="off"
        required
        value={email()}
        onValue={setEmail}
        error={submission.issue('email')}
      />
      <Field
        label="Note for the mail (optional)"
        name="invite-message"
        multiline
        rows={3}
        maxLength={1000}
        hint="At most 1,000 characters."
        value={message()}
        onValue={setMessage}
        error={submission.issue('message')}
      />
      <FormMessage error={submission.formError()} success={success()} />
      <button type="submit" disabled={submission.busy()}>
        {submission.busy() ? 'Sending…' : 'Send invitation'}
      </button>
    </form>
  );
}

/** Invites people by email and lists the invitations sent, with a revoke button on pending ones. */
export function ManageInvitations(props: {
  communityId: string;
  invitations: InvitationRow[];
  onChanged: () => void;
}) {
  const { act, actionError } = createAction(() => props.onChanged());
  return (
    <>
      <InviteForm communityId={props.communityId} onInvited={props.onChanged} />
      <h3>Sent invitations</h3>
      <Show when={actionError()}>
        <p class="form-error" role="alert">
          {actionError()}
        </p>
      </Show>
      <Show when={props.invitations.length > 0} fallback={<Empty>No invitations sent yet.</Empty>}>
        <ul class="rows" data-testid="invitations">
          <For each={props.invitations}>
            {(invitation) => (
              <li class="row-with-actions">
                <div>
                  <strong>{invitation.email}</strong>
                  <span class="tag subtle">
                    {INVITATION_STATE_LABELS[invitation.state] ?? invitation.state}
                  </span>
                  <p class="meta">
                    sent {formatLocal(invitation.createdAt)}
                    <Show when={invitation.invitedBy}>{(by) => <> by {by().displayName}</>}</Show>
                    <Show when={invitation.state === 'PENDING'}>
                      {' '}
                      · link works until {formatLocal(invitation.expiresAt)}
                    </Show>
                  </p>
                </div>
                <Show when={invitation.state === 'PENDING'}>
                  <button
                    type="button"
                    class="secondary"
                    aria-label={`Revoke the invitation to ${invitation.email}`}
                    onClick={() =>
                      act('revokeInvitation', 'RevokeInvitationInput', {
                        invitationId: invitation.id,
                      })
                    }
                  >
                    Revoke
                  </button>
                </Show>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </>
  );
}
