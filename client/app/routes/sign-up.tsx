import { A, useNavigate, useSearchParams } from '@solidjs/router';
import { createSignal } from 'solid-js';
import { Field, FormMessage } from '../components/field.tsx';
import { nextPath, signInPath, signUp } from '../lib/session.ts';
import { createSubmission } from '../lib/submission.ts';
import { createDocumentTitle } from '../lib/title.ts';

export default function SignUp() {
  const navigate = useNavigate();
  const [params] = useSearchParams<{ next?: string }>();
  const [displayName, setDisplayName] = createSignal('');
  const [email, setEmail] = createSignal('');
  const [password, setPassword] = createSignal('');
  const submission = createSubmission(['displayName', 'email', 'password']);
  createDocumentTitle(() => 'Create your account');

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const result = await submission.submit(() =>
      signUp(email().trim(), password(), displayName().trim()),
    );
    if (result.data) {
      navigate(nextPath(params.next));
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
          error={submission.issue('displayName')}
        />
        <Field
          label="School email"
          name="email"
          type="email"
          autocomplete="email"
          required
          value={email()}
          onValue={setEmail}
          error={submission.issue('email')}
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
          error={submission.issue('password')}
        />
        <FormMessage error={submission.formError()} />
        <button type="submit" disabled={submission.busy()}>
          {submission.busy() ? 'Creating…' : 'Create account'}
        </button>
      </form>
      <p>
        Already have an account? <A href={signInPath(nextPath(params.next))}>Sign in</A>
      </p>
    </section>
  );
}
