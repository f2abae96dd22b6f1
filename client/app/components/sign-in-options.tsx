import { createSignal, For, Match, Show, Switch } from 'solid-js';
import { createGraphQLQuery, runMutation } from '../lib/graphql.ts';
import { mutationDocumentWith } from '../lib/operations.ts';
import { createSubmission } from '../lib/submission.ts';
import { Field, FormMessage } from './field.tsx';
import { ErrorState, Loading } from './status.tsx';

/** Plain-language messages for the `ssoError` codes that a failed district sign-in returns with. */
export const SSO_ERROR_MESSAGES: Record<string, string> = {
  invalid_state:
    'The sign-in through your district expired or was started in another browser. Please try again.',
  provider_error:
    "Your district's sign-in service reported an error. Try again, and ask your district's IT team if it keeps happening.",
  invalid_response:
    "Your district's sign-in service sent an answer that Staffroom could not verify. Try again, and ask your district's IT team if it keeps happening.",
  account_exists:
    'A Staffroom account with your email address already exists and could not be linked to your district sign-in. Sign in with its password instead.',
  disabled:
    'Your district has turned off sign-in through its own accounts. Sign in with your Staffroom password instead.',
};

/** Returns the message for an `ssoError` code, or a general one for a code this page does not know. */
export function describeSsoError(code: string): string {
  return SSO_ERROR_MESSAGES[code] ?? 'Signing in through your district failed. Please try again.';
}

const DISTRICTS = `query SignInDistricts { districts(first: 100) { nodes { id name ssoSignInUrl } } }`;

interface DistrictsData {
  districts: { nodes: { id: string; name: string; ssoSignInUrl: string | null }[] };
}

/** Lets a person pick their district and go to its single sign-on, when any district has one. */
export function DistrictSignIn(props: { returnTo: string }) {
  const districts = createGraphQLQuery<DistrictsData, Record<string, never>>(DISTRICTS, () => ({}));
  const withSso = () =>
    (districts.data()?.districts.nodes ?? []).filter((district) => district.ssoSignInUrl);
  const [chosen, setChosen] = createSignal('');
  const [error, setError] = createSignal('');

  const go = (event: SubmitEvent) => {
    event.preventDefault();
    const district = withSso().find((item) => item.id === chosen());
    if (!district?.ssoSignInUrl) {
      setError('Choose your district first.');
      return;
    }
    const separator = district.ssoSignInUrl.includes('?') ? '&' : '?';
    // A full page load: the server redirects to the district's provider, which is another site.
    location.assign(
      `${district.ssoSignInUrl}${separator}returnTo=${encodeURIComponent(props.returnTo)}`,
    );
  };

  return (
    <Switch>
      <Match when={!districts.data() && districts.error()}>
        {(message) => <ErrorState message={message()} onRetry={districts.refetch} />}
      </Match>
      <Match when={!districts.data()}>
        <Loading label="Loading districts…" />
      </Match>
      <Match when={withSso().length > 0}>
        <section aria-labelledby="district-sign-in-heading" class="panel">
          <h2 id="district-sign-in-heading">Sign in with your district</h2>
          <form onSubmit={go} novalidate>
            <div class="field" classList={{ invalid: Boolean(error()) }}>
              <label for="district-choice">Your district</label>
              <select
                id="district-choice"
                value={chosen()}
                aria-describedby={error() ? 'district-choice-error' : undefined}
                onChange={(event) => {
                  setChosen(event.currentTarget.value);
                  setError('');
                }}
              >
                <option value="">Choose a district</option>
                <For each={withSso()}>
                  {(district) => <option value={district.id}>{district.name}</option>}
                </For>
              </select>
              <Show when={error()}>
                <p class="field-error" id="district-choice-error">
                  {error()}
                </p>
              </Show>
            </div>
            <button type="submit" class="secondary">
              Continue to your district
            </button>
          </form>
        </section>
      </Match>
    </Switch>
  );
}

/**
 * Requests a password reset mail. The confirmation reads the same whether or not the address has
 * an account, like the server's result.
 */
export function ForgotPassword(props: { open: boolean }) {
  const [email, setEmail] = createSignal('');
  const [sent, setSent] = createSignal('');
  const submission = createSubmission(['email']);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setSent('');
    const result = await submission.submit(() =>
      runMutation<boolean>(
        mutationDocumentWith('requestPasswordReset', { input: 'RequestPasswordResetInput!' }, ''),
        'requestPasswordReset',
        { email: email().trim() },
      ),
    );
    if (result.data !== undefined) {
      setSent(
        'If an account uses this address, a link to choose a new password is on its way. It works for one hour.',
      );
    }
  };

  return (
    <details class="panel" open={props.open}>
      <summary>Forgot password?</summary>
      <form onSubmit={submit} novalidate>
        <Field
          label="Your account email"
          name="forgot-email"
          type="email"
          autocomplete="email"
          required
          value={email()}
          onValue={setEmail}
          error={submission.issue('email')}
        />
        <FormMessage error={submission.formError()} success={sent()} />
        <button type="submit" class="secondary" disabled={submission.busy()}>
          {submission.busy() ? 'Sending…' : 'Mail me a reset link'}
        </button>
      </form>
    </details>
  );
}
