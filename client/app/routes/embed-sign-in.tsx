import { A, useLocation, useSearchParams } from '@solidjs/router';
import { createSignal, Match, onMount, Show, Switch } from 'solid-js';
import { FormMessage } from '../components/field.tsx';
import { SignInFields } from '../components/sign-in-fields.tsx';
import { DistrictSignIn, ForgotPassword } from '../components/sign-in-options.tsx';
import { Loading } from '../components/status.tsx';
import { runMutation } from '../lib/graphql.ts';
import { mutationDocument } from '../lib/operations.ts';
import { signIn, signOut, viewer, viewerLoaded } from '../lib/session.ts';
import { createSubmission } from '../lib/submission.ts';
import { createDocumentTitle } from '../lib/title.ts';
import {
  openerWindow,
  parseWidgetSignInRequest,
  postToOpener,
  WIDGET_TOKEN_MINUTES,
  type WidgetSignInRequest,
} from '../lib/widget-sign-in.ts';
import './embed.css';

const CREATE_WIDGET_TOKEN = mutationDocument(
  'createWidgetToken',
  'CreateWidgetTokenInput',
  'token expiresAt viewer { id displayName }',
);

interface WidgetToken {
  token: string;
  expiresAt: string;
  viewer: { id: string; displayName: string };
}

type Finished = 'allowed' | 'cancelled' | 'opener-gone';

function ReturnToPage() {
  return (
    <section class="narrow" data-testid="widget-sign-in-no-opener">
      <h1>Return to the page you came from</h1>
      <p>
        The page that opened this window has closed or moved on, so Staffroom cannot send it your
        sign-in. Go back to that page and use its Sign in button again.
      </p>
    </section>
  );
}

/** Asks the signed-in person to let a site's widgets show Staffroom content as them. */
function Consent(props: {
  request: WidgetSignInRequest;
  onFinished: (finished: Finished) => void;
  onCancel: () => void;
}) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal('');
  const [switchError, setSwitchError] = createSignal('');
  const name = () => viewer()?.displayName ?? '';

  const allow = async () => {
    if (!openerWindow()) {
      props.onFinished('opener-gone');
      return;
    }
    setBusy(true);
    setError('');
    const outcome = await runMutation<WidgetToken>(CREATE_WIDGET_TOKEN, 'createWidgetToken', {
      embedKey: props.request.key,
      origin: props.request.origin,
    });
    setBusy(false);
    if (!outcome.data) {
      setError(outcome.message ?? 'The sign-in for this widget failed.');
      return;
    }
    const posted = postToOpener(props.request.origin, {
      type: 'staffroom:widget-token',
      nonce: props.request.nonce,
      token: outcome.data.token,
      expiresAt: outcome.data.expiresAt,
      displayName: outcome.data.viewer.displayName,
    });
    props.onFinished(posted ? 'allowed' : 'opener-gone');
  };

  const useAnotherAccount = async () => {
    setSwitchError('');
    const failure = await signOut();
    if (failure) {
      setSwitchError(`Signing out failed. ${failure}`);
    }
  };

  return (
    <section class="narrow consent" aria-labelledby="consent-heading">
      <h1 id="consent-heading">Allow this site?</h1>
      <p class="lead" data-testid="widget-consent">
        <strong>{props.request.origin}</strong> wants to show Staffroom content as{' '}
        <strong>{name()}</strong> for {WIDGET_TOKEN_MINUTES} minutes.
      </p>
      <p>
        Its Staffroom widgets can then show what you may read in the communities its embed key
        lists, and send chat messages in your name. The site does not get your password or email
        address.
      </p>
      <FormMessage error={error() || switchError()} />
      <div class="actions">
        <button type="button" disabled={busy()} onClick={() => void allow()}>
          {busy() ? 'Allowing…' : 'Allow'}
        </button>
        <button type="button" class="secondary" disabled={busy()} onClick={() => props.onCancel()}>
          Cancel
        </button>
      </div>
      <p class="meta">
        Not {name()}?{' '}
        <button type="button" class="link-button" onClick={() => void useAnotherAccount()}>
          Use another account
        </button>
      </p>
    </section>
  );
}

/**
 * Signs the person in on this page, so the site that requests the sign-in stays in view. Once
 * signed in, the page shows the consent step.
 */
function WidgetSignInForm(props: { request: WidgetSignInRequest; onCancel: () => void }) {
  const location = useLocation();
  const [email, setEmail] = createSignal('');
  const [password, setPassword] = createSignal('');
  const submission = createSubmission(['email', 'password']);
  let form: HTMLFormElement | undefined;

  // The link that opened this step is gone, so focus moves to the first field.
  onMount(() => form?.querySelector('input')?.focus());

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    await submission.submit(() => signIn(email().trim(), password()));
  };

  return (
    <section class="narrow consent" aria-labelledby="widget-sign-in-heading">
      <h1 id="widget-sign-in-heading">Sign in to Staffroom</h1>
      <p class="lead" data-testid="widget-sign-in-context">
        <strong>{props.request.origin}</strong> wants to show Staffroom content as you. Sign in, and
        then choose whether to allow it.
      </p>
      <form ref={form} onSubmit={submit} novalidate>
        <SignInFields
          email={email}
          setEmail={setEmail}
          password={password}
          setPassword={setPassword}
          submission={submission}
        />
        <FormMessage error={submission.formError()} />
        <div class="actions">
          <button type="submit" disabled={submission.busy()} data-testid="sign-in-submit">
            {submission.busy() ? 'Signing in…' : 'Sign in'}
          </button>
          <button type="button" class="secondary" onClick={() => props.onCancel()}>
            Cancel
          </button>
        </div>
      </form>
      <ForgotPassword open={false} />
      <DistrictSignIn returnTo={`${location.pathname}${location.search}`} />
    </section>
  );
}

/** Asks a signed-out person to sign in first, and lets them cancel instead. */
function SignInFirst(props: { request: WidgetSignInRequest; onCancel: () => void }) {
  const location = useLocation();
  const [params] = useSearchParams<{ step?: string }>();
  const here = () => `${location.pathname}${location.search}`;
  const signInStep = () => {
    const search = new URLSearchParams(location.search);
    search.set('step', 'sign-in');
    return `${location.pathname}?${search}`;
  };

  return (
    <Show
      when={params.step !== 'sign-in'}
      fallback={<WidgetSignInForm request={props.request} onCancel={props.onCancel} />}
    >
      <section class="narrow consent" aria-labelledby="widget-sign-in-heading">
        <h1 id="widget-sign-in-heading">Sign in to Staffroom</h1>
        <p class="lead" data-testid="widget-sign-in-context">
          <strong>{props.request.origin}</strong> wants to show Staffroom content as you. Sign in
          first, and then choose whether to allow it.
        </p>
        <div class="actions">
          <A href={signInStep()} class="button-link">
            Sign in
          </A>
          <button type="button" class="secondary" onClick={() => props.onCancel()}>
            Cancel
          </button>
        </div>
        {/* NOTE: the sign-up page returns here afterwards but does not name the requesting site. */}
        <p>
          New to Staffroom?{' '}
          <A href={`/sign-up?next=${encodeURIComponent(here())}`}>Create an account</A>
        </p>
      </section>
    </Show>
  );
}

/**
 * Renders the window a widget opens to sign its visitor in: it checks the request, signs the
 * person in if needed, gets their consent, and posts a widget token (or a cancellation) to the
 * opening page.
 */
export default function EmbedSignInPage() {
  const [params] = useSearchParams<{ key?: string; origin?: string; nonce?: string }>();
  const parsed = () => parseWidgetSignInRequest(params, location.origin);
  const problem = () => {
    const current = parsed();
    return 'problem' in current ? current.problem : null;
  };
  const request = () => {
    const current = parsed();
    return 'request' in current ? current.request : null;
  };
  const [finished, setFinished] = createSignal<Finished | null>(
    openerWindow() ? null : 'opener-gone',
  );
  createDocumentTitle(() => 'Sign in to a widget');

  const finish = (outcome: Finished) => {
    setFinished(outcome);
    if (outcome !== 'opener-gone') {
      // A window that a script opened may close itself; otherwise the page shows what happened.
      window.close();
    }
  };

  const cancel = (current: WidgetSignInRequest) => {
    const posted = postToOpener(current.origin, {
      type: 'staffroom:widget-sign-in-cancelled',
      nonce: current.nonce,
    });
    finish(posted ? 'cancelled' : 'opener-gone');
  };

  return (
    <Switch>
      <Match when={problem()}>
        {(message) => (
          <section class="narrow" data-testid="widget-sign-in-invalid">
            <h1>This sign-in link is not valid</h1>
            <p role="alert">{message()}</p>
          </section>
        )}
      </Match>
      <Match when={finished() === 'opener-gone'}>
        <ReturnToPage />
      </Match>
      <Match when={finished() === 'allowed'}>
        <section class="narrow">
          <h1>Signed in</h1>
          <p role="status">The widget now shows Staffroom as you. You can close this window.</p>
        </section>
      </Match>
      <Match when={finished() === 'cancelled'}>
        <section class="narrow">
          <h1>Cancelled</h1>
          <p role="status">Nothing was shared. You can close this window.</p>
        </section>
      </Match>
      <Match when={!viewerLoaded()}>
        <Loading label="Checking your sign-in…" />
      </Match>
      <Match when={request()}>
        {(valid) => (
          <Show
            when={viewer()}
            fallback={<SignInFirst request={valid()} onCancel={() => cancel(valid())} />}
          >
            <Consent request={valid()} onFinished={finish} onCancel={() => cancel(valid())} />
          </Show>
        )}
      </Match>
    </Switch>
  );
}
