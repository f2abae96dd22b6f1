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

export function Empty(props: { children: JSX.Element }) {
  return <p class="empty">{props.children}</p>;
}

/** The message of a resource's error, for an error state. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : 'Something went wrong.';
}
