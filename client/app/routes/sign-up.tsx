import { A, useNavigate } from '@solidjs/router';
import { createSignal } from 'solid-js';
import { Field, FormMessage } from '../components/field.tsx';
import { issueFor, type MutationOutcome } from '../lib/graphql.ts';
import { signUp } from '../lib/session.ts';

export default function SignUp() {
  const navigate = useNavigate();
  const [displayName, setDisplayName] = createSignal('');
  const [email, setEmail] = createSignal('');
  const [password, setPassword] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [outcome, setOutcome] = createSignal<MutationOutcome<unknown> | null>(null);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setBusy(true);
    const result = await signUp(email().trim(), password(), displayName());
    setBusy(false);
    setOutcome(result);
    if (result.data) {
      navigate('/');
    }
  };

  return (
    <section class="narrow">
      <h1>Create your account</h1>
      <form onSubmit={submit} novalidate>
        <Field
          label="Your name"
          name="displayName"
          autocomplete="name"
          required
          maxLength={80}
          value={displayName()}
          onValue={setDisplayName}
          error={issueFor(outcome(), 'displayName')}
        />
        <Field
          label="School email"
          name="email"
          type="email"
          autocomplete="email"
          required
          value={email()}
          onValue={setEmail}
          error={issueFor(outcome(), 'email')}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autocomplete="new-password"
          hint="At least 10 characters."
          required
          value={password()}
          onValue={setPassword}
          error={issueFor(outcome(), 'password')}
        />
        <FormMessage error={outcome()?.issues ? undefined : outcome()?.message} />
        <button type="submit" disabled={busy()}>
          {busy() ? 'Creating…' : 'Create account'}
        </button>
      </form>
      <p>
        Already have an account? <A href="/sign-in">Sign in</A>
      </p>
    </section>
  );
}
