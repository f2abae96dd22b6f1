import { For, Show } from 'solid-js';
import { createAction } from '../lib/graphql.ts';
import { formatRelative } from '../lib/time.ts';
import { Empty } from './status.tsx';

export interface JoinRequest {
  id: string;
  joinedAt: string;
  user: { id: string; displayName: string; school: { name: string } | null };
}

/** Lists the requests to join a community, earliest first, with approve and decline buttons. */
export function ManageRequests(props: {
  communityId: string;
  requests: JoinRequest[];
  onChanged: () => void;
}) {
  const { act, actionError } = createAction(() => props.onChanged());

  const decide = (userId: string, approve: boolean) =>
    act('decideJoinRequest', 'DecideJoinRequestInput', {
      communityId: props.communityId,
      userId,
      approve,
    });

  return (
    <>
      <Show when={actionError()}>
        <p class="form-error" role="alert">
          {actionError()}
        </p>
      </Show>
      <Show
        when={props.requests.length > 0}
        fallback={<Empty>No one is waiting for a decision.</Empty>}
      >
        <ul class="rows" data-testid="join-requests">
          <For each={props.requests}>
            {(request) => (
              <li class="row-with-actions">
                <div>
                  <strong>{request.user.displayName}</strong>
                  <p class="meta">
                    <Show when={request.user.school}>{(school) => <>{school().name} · </>}</Show>
                    asked {formatRelative(request.joinedAt)}
                  </p>
                </div>
                <div class="actions">
                  <button
                    type="button"
                    aria-label={`Approve ${request.user.displayName}`}
                    onClick={() => decide(request.user.id, true)}
                  >
                    Approve
                  </button>
                  <button
                    type="button"
                    class="secondary"
                    aria-label={`Decline ${request.user.displayName}`}
                    onClick={() => decide(request.user.id, false)}
                  >
                    Decline
                  </button>
                </div>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </>
  );
}
