import { A, useSearchParams } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { Field, FormMessage } from '../components/field.tsx';
import { runMutation } from '../lib/graphql.ts';
import { mutationDocumentWith } from '../lib/operations.ts';
import { endOwnSignIn } from '../lib/session.ts';
import { createSubmission } from '../lib/submission.ts';
import { createDocumentTitle } from '../lib/title.ts';

/** Sets a new password with the token of the link in a password reset mail. */
export default function ResetPassword() {
  const [params] = useSearchParams<{ token?: string }>();
  const [password, setPassword] = createSignal('');
  const [done, setDone] = createSignal(false);
  const submission = createSubmission(['newPassword', 'token']);
  createDocumentTitle(() => 'Choose a new password');

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    // Every sign-in of the account ends, this browser's too when it is signed in as the account.
    const result = await submission.submit(() =>
      endOwnSignIn(() =>
        runMutation<boolean>(
          mutationDocumentWith('resetPassword', { input: 'ResetPasswordInput!' }, ''),
          'resetPassword',
          { token: params.token?.trim() ?? '', newPassword: password() },
        ),
      ),
    );
    if (result.data) {
      setDone(true);
    }
  };

  return (
    <section class="narrow">
      <h1>Choose a new password</h1>
      <Show
        when={params.token}
        fallback={
          <>
            <p class="form-error" role="alert">
              This link has no token. Open the whole link from the mail.
            </p>
            <p>
              <A href="/sign-in?forgot=1">Ask for a new link</A>
            </p>
          </>
        }
      >
        <Show
          when={!done()}
          fallback={
            <>
              <p class="form-success" role="status">
                Your password was changed, and every sign-in of your account has ended.
              </p>
              <p>
                <A href="/sign-in">Sign in with your new password</A>
              </p>
            </>
          }
        >
          <form onSubmit={submit} novalidate>
            <Field
              label="New password"
              name="reset-password"
              type="password"
              autocomplete="new-password"
              hint="10 to 256 characters."
              required
              value={password()}
              onValue={setPassword}
              error={submission.issue('newPassword')}
            />
            <FormMessage error={submission.formError()} />
            <button type="submit" disabled={submission.busy()}>
              {submission.busy() ? 'Saving…' : 'Set new password'}
            </button>
          </form>
          <Show when={submission.issue('token')}>
            {(message) => (
              <>
                <p class="form-error" role="alert">
                  {message()}
                </p>
                <p>
                  <A href="/sign-in?forgot=1">Ask for a new link</A>
                </p>
              </>
            )}
          </Show>
        </Show>
      </Show>
    </section>
  );
}
