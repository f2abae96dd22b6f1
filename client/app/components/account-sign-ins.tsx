import { useNavigate } from '@solidjs/router';
import { createSignal, For, Show } from 'solid-js';
import { type MutationOutcome, runMutation, runMutationWithVariables } from '../lib/graphql.ts';
import { mutationDocument, mutationDocumentWith } from '../lib/operations.ts';
import { pluralize } from '../lib/plural.ts';
import { endOwnSignIn } from '../lib/session.ts';
import { formatLocal, formatRelative } from '../lib/time.ts';
import { FormMessage } from './field.tsx';
import { Empty } from './status.tsx';

export interface SignInRow {
  id: string;
  kind: 'COOKIE' | 'BEARER';
  current: boolean;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string;
  userAgent: string | null;
}

export const SIGN_IN_FIELDS = 'id kind current createdAt lastUsedAt expiresAt userAgent';

/** Lists the browsers and API clients signed in to the account, with revoke buttons. */
export function SignInList(props: { signIns: SignInRow[]; onChanged: () => void }) {
  const navigate = useNavigate();
  const [error, setError] = createSignal('');
  const [success, setSuccess] = createSignal('');
  const [confirming, setConfirming] = createSignal(false);
  const [busy, setBusy] = createSignal(false);

  const revoke = async (signIn: SignInRow) => {
    setError('');
    setSuccess('');
    const run = () =>
      runMutation(mutationDocument('revokeSignIn', 'RevokeSignInInput', 'id'), 'revokeSignIn', {
        id: signIn.id,
      });
    // Revoking this browser's own sign-in is signing out.
    const outcome: MutationOutcome<unknown> = signIn.current
      ? await endOwnSignIn(run)
      : await run();
    if (outcome.message) {
      setError(outcome.message);
    } else if (signIn.current) {
      navigate('/sign-in');
      return;
    } else {
      setSuccess('Sign-in revoked.');
    }
    props.onChanged();
  };

  const signOutEverywhere = async () => {
    setBusy(true);
    setError('');
    const outcome = await endOwnSignIn(() =>
      runMutationWithVariables<number>(
        mutationDocumentWith('signOutEverywhere', {}, ''),
        'signOutEverywhere',
        {},
      ),
    );
    setBusy(false);
    setConfirming(false);
    if (outcome.message) {
      setError(outcome.message);
      return;
    }
    navigate('/sign-in');
  };

  return (
    <>
      <Show when={props.signIns.length > 0} fallback={<Empty>No sign-ins are active.</Empty>}>
        <ul class="rows" data-testid="sign-ins">
          <For each={props.signIns}>
            {(signIn) => (
              <li class="row-with-actions">
                <div>
                  <strong>{signIn.kind === 'COOKIE' ? 'Browser' : 'API client'}</strong>
                  <Show when={signIn.current}>
                    <span class="tag good">This browser</span>
                  </Show>
                  <p class="meta">{signIn.userAgent ?? 'Unknown client'}</p>
                  <p class="meta">
                    signed in {formatLocal(signIn.createdAt)} · last used{' '}
                    {signIn.lastUsedAt ? formatRelative(signIn.lastUsedAt) : 'never'} · ends{' '}
                    {formatLocal(signIn.expiresAt)}
                  </p>
                </div>
                <button
                  type="button"
                  class="secondary"
                  onClick={() => void revoke(signIn)}
                  aria-label={
                    signIn.current
                      ? 'Sign out of this browser'
                      : `Revoke sign-in from ${formatLocal(signIn.createdAt)}`
                  }
                >
                  {signIn.current ? 'Sign out' : 'Revoke'}
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <FormMessage error={error()} success={success()} />
      <Show
        when={confirming()}
        fallback={
          <button type="button" class="danger secondary" onClick={() => setConfirming(true)}>
            Sign out everywhere…
          </button>
        }
      >
        <div class="confirm">
          <p>
            End all {pluralize(props.signIns.length, 'sign-in')}, this browser included? API tokens
            keep working; revoke them below.
          </p>
          <div class="actions">
            <button
              type="button"
              class="danger"
              disabled={busy()}
              onClick={() => void signOutEverywhere()}
            >
              {busy() ? 'Signing out…' : 'Sign out everywhere'}
            </button>
            <button type="button" class="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </div>
      </Show>
    </>
  );
}
