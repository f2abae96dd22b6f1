import { A, useNavigate, useSearchParams } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { FormMessage } from '../components/field.tsx';
import { SignInFields } from '../components/sign-in-fields.tsx';
import {
  DistrictSignIn,
  describeSsoError,
  ForgotPassword,
} from '../components/sign-in-options.tsx';
import { nextPath, signIn } from '../lib/session.ts';
import { createSubmission } from '../lib/submission.ts';
import { createDocumentTitle } from '../lib/title.ts';

export default function SignIn() {
  const navigate = useNavigate();
  const [params] = useSearchParams<{ next?: string; ssoError?: string; forgot?: string }>();
  const [email, setEmail] = createSignal('');
  const [password, setPassword] = createSignal('');
  const submission = createSubmission(['email', 'password']);
  createDocumentTitle(() => 'Sign in');

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const result = await submission.submit(() => signIn(email().trim(), password()));
    if (result.data) {
      navigate(nextPath(params.next));
    }
  };

  return (
    <section class="narrow">
      <h1>Sign in</h1>
      <Show when={params.ssoError}>
        {(code) => (
          <p class="form-error" role="alert" data-testid="sso-error">
            {describeSsoError(code())}
          </p>
        )}
      </Show>
      <form onSubmit={submit} novalidate>
        <SignInFields
          email={email}
          setEmail={setEmail}
          password={password}
          setPassword={setPassword}
          submission={submission}
        />
        <FormMessage error={submission.formError()} />
        <button type="submit" disabled={submission.busy()} data-testid="sign-in-submit">
          {submission.busy() ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <ForgotPassword open={params.forgot === '1'} />
      <DistrictSignIn returnTo={nextPath(params.next)} />
      <p>
        New to Staffroom?{' '}
        <A href={params.next ? `/sign-up?next=${encodeURIComponent(params.next)}` : '/sign-up'}>
          Create an account
        </A>
      </p>
    </section>
  );
}
