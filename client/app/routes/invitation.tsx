import { A, useNavigate, useParams } from '@solidjs/router';
import { createSignal, Match, Show, Switch } from 'solid-js';
import { FormMessage } from '../components/field.tsx';
import { ErrorState, Loading } from '../components/status.tsx';
import { createGraphQLQuery, runMutation } from '../lib/graphql.ts';
import { mutationDocument } from '../lib/operations.ts';
import { signInPath, viewer, viewerLoaded } from '../lib/session.ts';
import { formatLocal } from '../lib/time.ts';
import { createDocumentTitle } from '../lib/title.ts';

const INVITATION = `query Invitation($token: String!) {
  invitation(token: $token) { communityName communitySlug email expiresAt state } }`;

interface InvitationData {
  invitation: {
    communityName: string;
    communitySlug: string;
    email: string;
    expiresAt: string;
    state: 'PENDING' | 'ACCEPTED' | 'EXPIRED' | 'REVOKED';
  } | null;
}

/** Decodes a route parameter, keeping it as it is when it is not valid percent-encoding. */
function decodeParameter(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export default function InvitationPage() {
  const params = useParams();
  const navigate = useNavigate();
  const token = () => decodeParameter(params.token ?? '');
  const page = createGraphQLQuery<InvitationData, { token: string; viewerId: string | null }>(
    INVITATION,
    () => viewerLoaded() && { token: token(), viewerId: viewer()?.id ?? null },
  );
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal('');
  const invitation = () => page.data()?.invitation;
  const here = () => `/invitations/${encodeURIComponent(token())}`;
  const emailMismatch = () => {
    const email = viewer()?.email;
    const invited = invitation()?.email;
    return Boolean(email && invited && email.toLowerCase() !== invited.toLowerCase());
  };
  createDocumentTitle(() =>
    invitation() ? `Invitation to ${invitation()?.communityName}` : 'Invitation',
  );

  const accept = async () => {
    setBusy(true);
    setError('');
    const outcome = await runMutation<{ community: { slug: string } }>(
      mutationDocument('acceptInvitation', 'AcceptInvitationInput', 'id community { slug }'),
      'acceptInvitation',
      { token: token() },
    );
    setBusy(false);
    if (outcome.data) {
      navigate(`/c/${outcome.data.community.slug}`);
      return;
    }
    setError(outcome.message ?? 'The invitation could not be accepted.');
    page.refetch();
  };

  return (
    <Switch>
      <Match when={!page.data() && page.error()}>
        {(message) => <ErrorState message={message()} onRetry={page.refetch} />}
      </Match>
      <Match when={!page.data()}>
        <Loading label="Loading the invitation…" />
      </Match>
      <Match when={!invitation()}>
        <section class="narrow">
          <h1>Invitation not found</h1>
          <p>
            This invitation link is not valid. Check that you opened the whole link from the mail,
            or ask the person who invited you to send a new one.
          </p>
          <p>
            <A href="/">Back to the communities</A>
          </p>
        </section>
      </Match>
      <Match when={invitation()}>
        {(current) => (
          <section class="narrow" data-testid="invitation">
            <h1>Join {current().communityName}</h1>
            <p>
              This invitation was sent to <strong>{current().email}</strong>.
            </p>
            <Switch>
              <Match when={current().state === 'ACCEPTED'}>
                <p>This invitation has already been accepted.</p>
                <p>
                  <A href={`/c/${current().communitySlug}`}>Open {current().communityName}</A>
                </p>
              </Match>
              <Match when={current().state === 'EXPIRED'}>
                <p class="form-error" role="alert">
                  This invitation expired on {formatLocal(current().expiresAt)}. Ask the person who
                  invited you to send a new one.
                </p>
              </Match>
              <Match when={current().state === 'REVOKED'}>
                <p class="form-error" role="alert">
                  This invitation was withdrawn and can no longer be accepted.
                </p>
              </Match>
              <Match when={!viewer()}>
                <p>
                  Sign in as {current().email} to accept it. The link works until{' '}
                  {formatLocal(current().expiresAt)}.
                </p>
                <p class="actions">
                  <A href={signInPath(here())} class="button-link">
                    Sign in to accept
                  </A>
                  <A href={`/sign-up?next=${encodeURIComponent(here())}`}>Create an account</A>
                </p>
              </Match>
              <Match when={viewer()}>
                {(signedIn) => (
                  <>
                    <Show when={emailMismatch()}>
                      <p class="form-error" role="alert">
                        You are signed in as {signedIn().email}, but this invitation is for{' '}
                        {current().email}. Sign out and sign in with that address to accept it.
                      </p>
                    </Show>
                    <p>The link works until {formatLocal(current().expiresAt)}.</p>
                    <FormMessage error={error()} />
                    <button
                      type="button"
                      disabled={busy()}
                      onClick={() => void accept()}
                      data-testid="accept-invitation"
                    >
                      {busy() ? 'Accepting…' : 'Accept invitation'}
                    </button>
                  </>
                )}
              </Match>
            </Switch>
          </section>
        )}
      </Match>
    </Switch>
  );
}
