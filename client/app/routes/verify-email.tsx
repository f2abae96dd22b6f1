import { A, useSearchParams } from '@solidjs/router';
import { createSignal, Match, onMount, Switch } from 'solid-js';
import { Loading } from '../components/status.tsx';
import { runMutation } from '../lib/graphql.ts';
import { mutationDocument } from '../lib/operations.ts';
import { refreshViewer } from '../lib/session.ts';
import { createDocumentTitle } from '../lib/title.ts';

/** Confirms an email address with the token of the link in a verification mail. */
export default function VerifyEmail() {
  const [params] = useSearchParams<{ token?: string }>();
  const [verifiedEmail, setVerifiedEmail] = createSignal<string>();
  const [failure, setFailure] = createSignal<string>();
  createDocumentTitle(() => 'Confirm your email address');

  // The token works once, so the page sends it once, when it opens.
  onMount(async () => {
    const token = params.token?.trim();
    if (!token) {
      setFailure('This link has no token. Open the whole link from the mail.');
      return;
    }
    const outcome = await runMutation<{ email: string }>(
      mutationDocument('verifyEmail', 'VerifyEmailInput', 'id email'),
      'verifyEmail',
      { token },
    );
    if (outcome.data) {
      setVerifiedEmail(outcome.data.email);
      void refreshViewer();
      return;
    }
    // An invalid or used token returns a ValidationError with an issue on `token` and the next step.
    const issue = outcome.issues?.[0]?.message;
    setFailure(issue ?? outcome.message ?? 'The address could not be confirmed.');
  });

  return (
    <section class="narrow">
      <h1>Confirm your email address</h1>
      <Switch>
        <Match when={verifiedEmail()}>
          {(email) => (
            <>
              <p class="form-success" role="status">
                Thank you: {email()} is confirmed.
              </p>
              <p>
                <A href="/">Go to the communities</A>
              </p>
            </>
          )}
        </Match>
        <Match when={failure()}>
          {(message) => (
            <>
              <p class="form-error" role="alert">
                {message()}
              </p>
              <p>
                Signed in? You can ask for a new link in <A href="/settings">your settings</A>.
              </p>
            </>
          )}
        </Match>
        <Match when={true}>
          <Loading label="Confirming your address…" />
        </Match>
      </Switch>
    </section>
  );
}
