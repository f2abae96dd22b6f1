import { createSignal, type JSX, Match, Show, Switch } from 'solid-js';
import { IN_FRAME } from './base.ts';
import type { Widget } from './context.ts';
import type { Failure } from './graphql.ts';
import type { LiveUpdates } from './live-updates.ts';

/** Renders a link to Staffroom, which opens a new tab in the iframe variant. */
export function StaffroomLink(props: { href: string; class?: string; children: JSX.Element }) {
  return (
    <a
      href={props.href}
      class={props.class}
      target={IN_FRAME ? '_blank' : undefined}
      rel={IN_FRAME ? 'noopener' : undefined}
    >
      {props.children}
      <Show when={IN_FRAME}>
        <span class="visually-hidden"> (opens in a new tab)</span>
      </Show>
    </a>
  );
}

export interface ShellProps {
  widget: Widget;
  /** The widget's heading; the subject's name once it is known. */
  title: string;
  /** The target of "Open in Staffroom", a link shown in every state. */
  openHref: string;
  /** A message when an attribute the widget needs is missing. */
  configError?: string | false;
  loading: boolean;
  failure?: Failure;
  /** Whether a retry is scheduled after a network failure. */
  retrying?: boolean;
  onRetry?: () => void;
  hasData: boolean;
  /** A message when the subject is missing or the viewer may not read it. */
  unavailable?: string | false;
  /** A message when the subject has nothing to list. */
  empty?: string | false;
  /** Whether signing in would show more. A signed-in person always gets Sign out. */
  offerSignIn?: boolean;
  live?: LiveUpdates;
  /** A label shown without the green dot in place of "Live", such as an ended session's status. */
  liveLabel?: string | false;
  children: JSX.Element;
}

/** Returns the sentence for a failure other than a revoked key. */
function describeFailure(failure: Failure): string {
  switch (failure.kind) {
    case 'not-enabled':
      return 'This widget is not enabled for this site.';
    case 'turned-off':
      return 'This widget has been turned off by its owner.';
    case 'unreachable':
      return 'Staffroom cannot be reached right now.';
    case 'signed-out':
      return 'Staffroom asks you to sign in to show this.';
    case 'rejected':
      return `Staffroom could not show this: ${failure.message}`;
  }
}

/**
 * Lays out a widget: a section named by its heading, the live status, the polite live region,
 * one of the loading, error, unavailable, empty and content states, and a footer with "Open
 * in Staffroom" and the sign-in controls.
 */
export function WidgetShell(props: ShellProps) {
  const blocking = () =>
    props.widget.turnedOff() ||
    (props.failure !== undefined && (!props.hasData || props.failure.kind === 'not-enabled'));
  // A refused reconnection may have stopped live updates, so a retry starts them again too.
  const retry = () => {
    props.onRetry?.();
    props.live?.reconnect();
  };

  return (
    <section class="widget" classList={{ frame: IN_FRAME }} aria-labelledby="widget-title">
      <div class="header">
        <h2 class="title" id="widget-title">
          {props.title}
        </h2>
        <Show when={!blocking() && props.live}>
          {(live) => <LiveStatus live={live()} connectedLabel={props.liveLabel} />}
        </Show>
      </div>
      <p class="visually-hidden" role="status" aria-live="polite">
        {props.widget.announcement()}
      </p>
      <Switch fallback={<div class="content">{props.children}</div>}>
        <Match when={props.configError}>
          <p class="notice error">{props.configError}</p>
        </Match>
        <Match when={props.widget.turnedOff()}>
          <p class="notice">This widget has been turned off by its owner.</p>
        </Match>
        <Match when={blocking() && props.failure}>
          {(failure) => (
            <FailureNotice
              failure={failure()}
              hasData={false}
              canRetry={props.hasData}
              retrying={props.retrying}
              onRetry={retry}
            />
          )}
        </Match>
        <Match when={props.loading || (!props.hasData && !props.failure)}>
          <p class="muted" aria-busy="true">
            Loading…
          </p>
        </Match>
        <Match when={props.unavailable}>
          <p class="notice">{props.unavailable}</p>
        </Match>
        <Match when={props.empty}>
          <p class="muted">{props.empty}</p>
        </Match>
        <Match when={props.failure}>
          {(failure) => (
            <>
              <FailureNotice
                failure={failure()}
                hasData={props.hasData}
                retrying={props.retrying}
                onRetry={retry}
              />
              <div class="content">{props.children}</div>
            </>
          )}
        </Match>
      </Switch>
      <div class="footer">
        <StaffroomLink href={props.openHref}>Open in Staffroom</StaffroomLink>
        <Show when={!props.widget.turnedOff()}>
          <SignInControls
            widget={props.widget}
            openHref={props.openHref}
            offer={props.offerSignIn === true && props.failure?.kind !== 'not-enabled'}
          />
        </Show>
      </div>
    </section>
  );
}

function FailureNotice(props: {
  failure: Failure;
  /** Whether the content loaded before is shown below the notice. */
  hasData: boolean;
  /** Whether the widget showed content before, so that a key's origin may have been removed. */
  canRetry?: boolean;
  retrying?: boolean;
  onRetry?: () => void;
}) {
  return (
    <div class="notice">
      <p classList={{ error: props.failure.kind === 'rejected' }}>
        {describeFailure(props.failure)}
        <Show when={props.hasData}> What loaded before is shown below.</Show>
      </p>
      <Show
        when={
          props.failure.kind === 'unreachable' ||
          props.failure.kind === 'rejected' ||
          (props.failure.kind === 'not-enabled' && props.canRetry)
        }
      >
        <div class="actions">
          <Show when={props.retrying}>
            <span class="muted">Trying again shortly.</span>
          </Show>
          <button type="button" onClick={() => props.onRetry?.()}>
            Try again now
          </button>
        </div>
      </Show>
    </div>
  );
}

function LiveStatus(props: { live: LiveUpdates; connectedLabel?: string | false }) {
  const label = () => {
    switch (props.live.state()) {
      case 'live':
        return props.connectedLabel || 'Live';
      case 'connecting':
        return 'Connecting…';
      case 'reconnecting':
        return 'Reconnecting…';
      case 'stopped':
        return props.live.failure() ? 'Live updates off' : 'Live updates stopped';
      default:
        return '';
    }
  };
  return (
    <Show when={label()}>
      <span
        class="live-status"
        classList={{ on: props.live.state() === 'live' && !props.connectedLabel }}
      >
        <span class="dot" aria-hidden="true" />
        {label()}
        <Show when={props.live.state() === 'stopped' && !props.live.failure()}>
          <button type="button" onClick={() => props.live.reconnect()}>
            Reconnect
          </button>
        </Show>
      </span>
    </Show>
  );
}

/** "Sign in", or the signed-in name with "Sign out"; a blocked popup gets a message. */
function SignInControls(props: { widget: Widget; offer: boolean; openHref: string }) {
  const [message, setMessage] = createSignal('');
  const signIn = () => props.widget.signIn();

  const start = async () => {
    if (signIn().pending()) {
      return;
    }
    setMessage('');
    const result = await signIn().signIn();
    if (result === 'blocked') {
      setMessage(
        'Your browser blocked the sign-in window. Allow pop-ups for this site, or use Open in Staffroom.',
      );
    } else if (result === 'no-answer') {
      setMessage(
        'The sign-in window closed without signing you in. If it is still open, this site blocks it from reporting back, so use Open in Staffroom instead.',
      );
    } else if (result === 'signed-in') {
      props.widget.announce(`Signed in as ${signIn().viewerName() ?? 'you'}.`);
    }
  };

  const signOut = () => {
    signIn().signOut();
    props.widget.announce('Signed out.');
  };

  return (
    <div class="actions">
      <Show
        when={signIn().token()}
        fallback={
          <Show when={props.offer && props.widget.key()}>
            <button
              type="button"
              aria-disabled={signIn().pending() ? 'true' : undefined}
              onClick={() => void start()}
            >
              {signIn().pending() ? 'Signing in…' : 'Sign in'}
            </button>
          </Show>
        }
      >
        <span class="muted">Signed in as {signIn().viewerName() ?? 'you'}</span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </Show>
      <Show when={message()}>
        <p class="error" role="alert">
          {message()} <StaffroomLink href={props.openHref}>Open in Staffroom</StaffroomLink>
        </p>
      </Show>
    </div>
  );
}
