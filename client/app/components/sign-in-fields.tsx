import type { Accessor, Setter } from 'solid-js';
import type { createSubmission } from '../lib/submission.ts';
import { Field } from './field.tsx';

/** The email and password fields of a sign-in form, with the submission's field errors. */
export function SignInFields(props: {
  email: Accessor<string>;
  setEmail: Setter<string>;
  password: Accessor<string>;
  setPassword: Setter<string>;
  submission: ReturnType<typeof createSubmission>;
}) {
  return (
    <>
      <Field
        label="Email"
        name="email"
        type="email"
        autocomplete="email"
        required
        value={props.email()}
        onValue={props.setEmail}
        error={props.submission.issue('email')}
        data-testid="sign-in-email"
      />
      <Field
        label="Password"
        name="password"
        type="password"
        autocomplete="current-password"
        required
        value={props.password()}
        onValue={props.setPassword}
        error={props.submission.issue('password')}
        data-testid="sign-in-password"
      />
    </>
  );
}
