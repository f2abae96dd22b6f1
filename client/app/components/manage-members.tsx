import { createSignal, For, Show } from 'solid-js';
import { createAction, runMutation } from '../lib/graphql.ts';
import { mutationDocument, ROLE_LABELS } from '../lib/operations.ts';
import { createSubmission } from '../lib/submission.ts';
import { formatLocal, formatRelative } from '../lib/time.ts';
import { Field, FormMessage } from './field.tsx';
import { Empty } from './status.tsx';

export interface MemberRow {
  id: string;
  role: string;
  joinedAt: string;
  /** When the member's community mute ends, while one is in force. */
  mutedUntil?: string | null;
  user: { id: string; displayName: string; school: { name: string } | null };
}

export interface BannedRow {
  id: string;
  user: { id: string; displayName: string };
}

/** Changes one member's role. Only owners see it, because only they may change roles. */
function RoleForm(props: { communityId: string; member: MemberRow; onChanged: () => void }) {
  const [role, setRole] = createSignal(props.member.role);
  const submission = createSubmission(['role']);
  const selectId = () => `role-${props.member.user.id}`;

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const result = await submission.submit(() =>
      runMutation(
        mutationDocument('changeMemberRole', 'ChangeMemberRoleInput', 'id role'),
        'changeMemberRole',
        { communityId: props.communityId, userId: props.member.user.id, role: role() },
      ),
    );
    if (result.data) {
      props.onChanged();
    }
  };

  return (
    <form class="inline-form" onSubmit={submit}>
      <label for={selectId()} class="visually-hidden">
        Role of {props.member.user.displayName}
      </label>
      <select
        id={selectId()}
        value={role()}
        onChange={(event) => setRole(event.currentTarget.value)}
      >
        <For each={Object.entries(ROLE_LABELS)}>
          {([value, label]) => <option value={value}>{label}</option>}
        </For>
      </select>
      <button
        type="submit"
        class="secondary"
        disabled={submission.busy() || role() === props.member.role}
      >
        Change role
      </button>
      <FormMessage error={submission.formError()} />
    </form>
  );
}

/** Removes or bans one member, with a reason that the audit log keeps. */
function RemoveForm(props: { communityId: string; member: MemberRow; onChanged: () => void }) {
  const [reason, setReason] = createSignal('');
  const [ban, setBan] = createSignal(false);
  const submission = createSubmission(['reason']);
  const name = () => props.member.user.displayName;

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const result = await submission.submit(() =>
      runMutation(mutationDocument('removeMember', 'RemoveMemberInput', 'id'), 'removeMember', {
        communityId: props.communityId,
        userId: props.member.user.id,
        reason: reason().trim() || null,
        ban: ban(),
      }),
    );
    if (result.data) {
      props.onChanged();
    }
  };

  return (
    <details class="panel compact">
      <summary>Remove {name()}…</summary>
      <form onSubmit={submit}>
        <Field
          label="Reason"
          name={`remove-reason-${props.member.user.id}`}
          hint="Kept in the audit log, at most 500 characters."
          multiline
          rows={2}
          maxLength={500}
          value={reason()}
          onValue={setReason}
          error={submission.issue('reason')}
        />
        <label class="check">
          <input
            type="checkbox"
            checked={ban()}
            onChange={(event) => setBan(event.currentTarget.checked)}
          />
          Also ban {name()}, so they cannot rejoin or ask again
        </label>
        <FormMessage error={submission.formError()} />
        <button type="submit" class="danger" disabled={submission.busy()}>
          {ban() ? `Remove and ban ${name()}` : `Remove ${name()}`}
        </button>
      </form>
    </details>
  );
}

/** Lists a community's active members with role changes (owners) and removal. */
export function ManageMembers(props: {
  communityId: string;
  members: MemberRow[];
  viewerId: string | undefined;
  viewerIsOwner: boolean;
  onChanged: () => void;
}) {
  return (
    <Show when={props.members.length > 0} fallback={<Empty>No members yet.</Empty>}>
      <ul class="rows" data-testid="manage-members">
        <For each={props.members}>
          {(member) => (
            <li>
              <strong>{member.user.displayName}</strong>
              <span class="tag subtle">{ROLE_LABELS[member.role] ?? member.role}</span>
              <Show when={member.mutedUntil}>
                {(until) => <span class="tag">Muted until {formatLocal(until())}</span>}
              </Show>
              <p class="meta">
                <Show when={member.user.school}>{(school) => <>{school().name} · </>}</Show>
                joined {formatRelative(member.joinedAt)}
              </p>
              <Show when={member.user.id !== props.viewerId}>
                <div class="member-actions">
                  <Show when={props.viewerIsOwner}>
                    <RoleForm
                      communityId={props.communityId}
                      member={member}
                      onChanged={props.onChanged}
                    />
                  </Show>
                  <RemoveForm
                    communityId={props.communityId}
                    member={member}
                    onChanged={props.onChanged}
                  />
                </div>
              </Show>
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}

/** Lists the people banned from a community, with a button to lift each ban. */
export function ManageBanned(props: {
  communityId: string;
  banned: BannedRow[];
  onChanged: () => void;
}) {
  const { act, actionError } = createAction(() => props.onChanged());
  return (
    <>
      <Show when={actionError()}>
        <p class="form-error" role="alert">
          {actionError()}
        </p>
      </Show>
      <Show when={props.banned.length > 0} fallback={<Empty>No one is banned.</Empty>}>
        <ul class="rows" data-testid="banned-members">
          <For each={props.banned}>
            {(row) => (
              <li class="row-with-actions">
                <strong>{row.user.displayName}</strong>
                <button
                  type="button"
                  class="secondary"
                  aria-label={`Unban ${row.user.displayName}`}
                  onClick={() =>
                    act('unbanMember', 'UnbanMemberInput', {
                      communityId: props.communityId,
                      userId: row.user.id,
                    })
                  }
                >
                  Unban
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </>
  );
}
