import { A, useNavigate, useSearchParams } from '@solidjs/router';
import { createSignal } from 'solid-js';
import { Field, FormMessage } from '../components/field.tsx';
import { issueFor, type MutationOutcome } from '../lib/graphql.ts';
import { signIn } from '../lib/session.ts';

export default function SignIn() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = createSignal('');
  const [password, setPassword] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [outcome, setOutcome] = createSignal<MutationOutcome<unknown> | null>(null);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setBusy(true);
    const result = await signIn(email().trim(), password());
    setBusy(false);
    setOutcome(result);
    if (result.data) {
      const next =
        typeof params.next === 'string' && params.next.startsWith('/') ? params.next : '/';
      navigate(next);
    }
  };

  return (
    <section class="narrow">
      <h1>Sign in</h1>
      <form onSubmit={submit} novalidate>
        <Field
          label="Email"
          name="email"
          type="email"
          autocomplete="email"
          required
          value={email()}
          onValue={setEmail}
          error={issueFor(outcome(), 'email')}
          data-testid="sign-in-email"
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          value={password()}
          onValue={setPassword}
          error={issueFor(outcome(), 'password')}
          data-testid="sign-in-password"
        />
        <FormMessage error={outcome()?.issues ? undefined : outcome()?.message} />
        <button type="submit" disabled={busy()} data-testid="sign-in-submit">
          {busy() ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p>
        New to Staffroom? <A href="/sign-up">Create an account</A>
      </p>
    </section>
  );
}
