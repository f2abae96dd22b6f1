import { createEffect, createSignal, For, Show } from 'solid-js';
import {
  type EmbedKey,
  type EmbedKeyOwner,
  REVOKE_EMBED_KEY,
  USAGE_DAYS,
} from '../lib/embed-keys.ts';
import { runMutation } from '../lib/graphql.ts';
import { pluralize } from '../lib/plural.ts';
import { formatLocal, formatRelative } from '../lib/time.ts';
import { EmbedKeyForm } from './embed-key-form.tsx';
import { FormMessage } from './field.tsx';
import { Empty } from './status.tsx';

/** Renders a key's requests, subscriptions and iframe loads per day, newest day first. */
function UsageTable(props: { embedKey: EmbedKey }) {
  const days = () => [...props.embedKey.usage].sort((a, b) => b.day.localeCompare(a.day));
  return (
    <Show
      when={days().length > 0}
      fallback={<p class="hint">Not used in the last {USAGE_DAYS} days.</p>}
    >
      <div class="table-scroll">
        <table class="usage-table" data-testid="embed-key-usage">
          <caption class="visually-hidden">
            Uses of {props.embedKey.name} per day, the last {USAGE_DAYS} days
          </caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Requests</th>
              <th scope="col">Live connections</th>
              <th scope="col">Iframe loads</th>
            </tr>
          </thead>
          <tbody>
            <For each={days()}>
              {(day) => (
                <tr>
                  <th scope="row">{day.day}</th>
                  <td>{day.requests}</td>
                  <td>{day.subscriptions}</td>
                  <td>{day.frames}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
    </Show>
  );
}

/**
 * Renders the inline confirm step before a key is revoked, which cannot be undone. Escape or
 * Cancel closes it and returns focus to its Revoke button.
 */
function RevokeKey(props: { embedKey: EmbedKey; onRevoked: () => void }) {
  const [confirming, setConfirming] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal('');
  let openButton: HTMLButtonElement | undefined;
  let confirmButton: HTMLButtonElement | undefined;

  const open = () => {
    setConfirming(true);
    confirmButton?.focus();
  };
  const close = () => {
    setConfirming(false);
    setError('');
    openButton?.focus();
  };
  const revoke = async () => {
    setBusy(true);
    setError('');
    const outcome = await runMutation<EmbedKey>(REVOKE_EMBED_KEY, 'revokeEmbedKey', {
      embedKeyId: props.embedKey.id,
    });
    setBusy(false);
    if (outcome.message) {
      setError(outcome.message);
      return;
    }
    setConfirming(false);
    props.onRevoked();
  };
  const closeOnEscape = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && !busy()) {
      event.preventDefault();
      close();
    }
  };

  return (
    <Show
      when={confirming()}
      fallback={
        <button
          ref={openButton}
          type="button"
          class="danger secondary"
          aria-label={`Revoke ${props.embedKey.name}`}
          onClick={open}
        >
          Revoke…
        </button>
      }
    >
      <section
        class="confirm"
        aria-label={`Revoke ${props.embedKey.name}`}
        onKeyDown={closeOnEscape}
      >
        <p>
          Revoke “{props.embedKey.name}”? Its widgets stop working on every site at once and open
          connections close. This cannot be undone: a new key needs new snippets.
        </p>
        <FormMessage error={error()} />
        <div class="actions">
          <button
            ref={confirmButton}
            type="button"
            class="danger"
            disabled={busy()}
            onClick={() => void revoke()}
          >
            {busy() ? 'Revoking…' : 'Revoke key'}
          </button>
          <button type="button" class="secondary" onClick={close}>
            Cancel
          </button>
        </div>
      </section>
    </Show>
  );
}

interface FocusRequest {
  /** The id of the key whose heading takes focus once it is in the list, such as a new key. */
  focusKeyId: string | null;
  onFocused: () => void;
}

function EmbedKeyItem(
  props: { owner: EmbedKeyOwner; embedKey: EmbedKey; onChanged: () => void } & FocusRequest,
) {
  const [editing, setEditing] = createSignal(false);
  const [saved, setSaved] = createSignal('');
  const revoked = () => props.embedKey.revokedAt !== null;
  const headingId = () => `embed-key-${props.embedKey.id}`;
  let heading: HTMLHeadingElement | undefined;
  let editButton: HTMLButtonElement | undefined;

  createEffect(() => {
    if (props.focusKeyId === props.embedKey.id) {
      heading?.focus();
      props.onFocused();
    }
  });

  // The Edit button comes back when the form closes, so keyboard users continue from it.
  const closeEditor = () => {
    setEditing(false);
    editButton?.focus();
  };
  const closeOnEscape = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      closeEditor();
    }
  };

  return (
    <li class="embed-key" classList={{ revoked: revoked() }} data-testid="embed-key">
      <h3 id={headingId()} ref={heading} tabindex="-1">
        {props.embedKey.name}{' '}
        <Show when={revoked()}>
          <span class="tag subtle">Revoked</span>
        </Show>
      </h3>
      <dl class="embed-key-facts" aria-labelledby={headingId()}>
        <dt>Key</dt>
        <dd>
          <code data-testid="embed-key-string">{props.embedKey.key}</code>
        </dd>
        <dt>Allowed sites</dt>
        <dd>
          <Show
            when={props.embedKey.allowedOrigins.length > 0}
            fallback={<span>Only Staffroom itself</span>}
          >
            <ul class="plain-list" data-testid="embed-key-origins">
              <For each={props.embedKey.allowedOrigins}>{(origin) => <li>{origin}</li>}</For>
            </ul>
          </Show>
        </dd>
        <dt>Communities</dt>
        <dd>
          {props.embedKey.communities.map((community) => community.name).join(', ') || 'None'}
        </dd>
        <Show when={props.owner.kind === 'district'}>
          <dt>Read without sign-in</dt>
          <dd>
            {props.embedKey.districtReadAccepted
              ? 'Accepted: anyone with the snippet reads its district communities'
              : 'Not accepted: district communities show to signed-in staff only'}
          </dd>
        </Show>
        <dt>Uses</dt>
        <dd>
          {pluralize(props.embedKey.useCount, 'use')} · last used{' '}
          {props.embedKey.lastUsedAt ? formatRelative(props.embedKey.lastUsedAt) : 'never'}
        </dd>
        <dt>Created</dt>
        <dd>
          {formatLocal(props.embedKey.createdAt)}
          <Show when={props.embedKey.createdBy}>
            {(creator) => <> by {creator().displayName}</>}
          </Show>
        </dd>
        <Show when={props.embedKey.revokedAt}>
          {(revokedAt) => (
            <>
              <dt>Revoked</dt>
              <dd>{formatLocal(revokedAt())}</dd>
            </>
          )}
        </Show>
      </dl>
      <details class="panel compact">
        <summary>Usage by day</summary>
        <UsageTable embedKey={props.embedKey} />
      </details>
      <Show when={!revoked()}>
        <FormMessage success={saved()} />
        <Show
          when={editing()}
          fallback={
            <div class="actions">
              <button
                ref={editButton}
                type="button"
                class="secondary"
                aria-label={`Edit ${props.embedKey.name}`}
                onClick={() => {
                  setSaved('');
                  setEditing(true);
                }}
              >
                Edit…
              </button>
              <RevokeKey embedKey={props.embedKey} onRevoked={props.onChanged} />
            </div>
          }
        >
          <section
            class="panel"
            aria-label={`Edit ${props.embedKey.name}`}
            onKeyDown={closeOnEscape}
          >
            <EmbedKeyForm
              owner={props.owner}
              embedKey={props.embedKey}
              onSaved={() => {
                closeEditor();
                setSaved('Changes saved. Open widgets reconnect with the new settings.');
                props.onChanged();
              }}
              onCancel={closeEditor}
            />
          </section>
        </Show>
      </Show>
    </li>
  );
}

/** Lists an owner's embed keys, live ones first, with their usage, edit and revoke actions. */
export function EmbedKeyList(
  props: { owner: EmbedKeyOwner; keys: EmbedKey[]; onChanged: () => void } & FocusRequest,
) {
  const ordered = () =>
    [...props.keys].sort(
      (a, b) =>
        Number(a.revokedAt !== null) - Number(b.revokedAt !== null) ||
        b.createdAt.localeCompare(a.createdAt),
    );
  return (
    <Show when={props.keys.length > 0} fallback={<Empty>No embed keys yet.</Empty>}>
      <ul class="rows embed-keys" data-testid="embed-keys">
        <For each={ordered()}>
          {(embedKey) => (
            <EmbedKeyItem
              owner={props.owner}
              embedKey={embedKey}
              onChanged={props.onChanged}
              focusKeyId={props.focusKeyId}
              onFocused={props.onFocused}
            />
          )}
        </For>
      </ul>
    </Show>
  );
}
