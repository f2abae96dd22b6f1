import { type JSX, Show } from 'solid-js';

export function Loading(props: { label?: string }) {
  return (
    <p class="status" role="status">
      <span class="spinner" aria-hidden="true" /> {props.label ?? 'Loading…'}
    </p>
  );
}

export function ErrorState(props: { message: string; onRetry?: () => void }) {
  return (
    <div class="error-state" role="alert">
      <p>{props.message}</p>
      <Show when={props.onRetry}>
        <button type="button" onClick={() => props.onRetry?.()}>
          Try again
        </button>
      </Show>
    </div>
  );
}

/** Shows that a reload failed while the page keeps showing the data it loaded before. */
export function RefreshError(props: { message: string | undefined; onRetry: () => void }) {
  return (
    <Show when={props.message}>
      <div class="refresh-error" role="status">
        <span>This page may be out of date: {props.message}</span>
        <button type="button" class="link-button" onClick={() => props.onRetry()}>
          Reload
        </button>
      </div>
    </Show>
  );
}

/** Shows the error of the last button action, such as a rejected removal, as an alert. */
export function ActionError(props: { message: string }) {
  return (
    <Show when={props.message}>
      <p class="form-error" role="alert">
        {props.message}
      </p>
    </Show>
  );
}

export function Empty(props: { children: JSX.Element }) {
  return <p class="empty">{props.children}</p>;
}

/** Returns the message of an error caught by a boundary, for an error state. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : 'Something went wrong.';
}
