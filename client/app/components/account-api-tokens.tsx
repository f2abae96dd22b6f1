import { createSignal, For, Show } from 'solid-js';
import { createAction, runMutation } from '../lib/graphql.ts';
import { mutationDocument } from '../lib/operations.ts';
import { createSubmission } from '../lib/submission.ts';
import { formatLocal, formatRelative } from '../lib/time.ts';
import { Field, FormMessage } from './field.tsx';
import { Empty } from './status.tsx';

export interface ApiTokenRow {
  id: string;
  name: string;
  scopes: ('READ' | 'WRITE')[];
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
}

export const API_TOKEN_FIELDS = 'id name scopes createdAt expiresAt lastUsedAt';

const SCOPE_LABELS: Record<string, string> = {
  READ: 'Read: queries and subscriptions',
  WRITE: 'Write: mutations too',
};

/** Shows a new token's secret once, with a copy button, until the person dismisses it. */
function NewTokenSecret(props: { name: string; token: string; onDone: () => void }) {
  const [copied, setCopied] = createSignal('');
  let input: HTMLInputElement | undefined;

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.token);
      setCopied('Copied to the clipboard.');
    } catch {
      // The clipboard needs a secure context and permission, so the fallback selects the text.
      input?.select();
      setCopied('Copying failed. The token is selected: copy it with your keyboard.');
    }
  };

  return (
    <section class="panel secret" aria-labelledby="new-token-heading">
      <h3 id="new-token-heading">Your new token “{props.name}”</h3>
      <p class="form-error">
        Copy this token now and store it safely. It is shown only once and cannot be read again.
      </p>
      <label for="new-token-value">Token</label>
      <div class="copy-row">
        <input
          id="new-token-value"
          ref={input}
          readOnly
          value={props.token}
          data-testid="new-token-value"
          onFocus={(event) => event.currentTarget.select()}
        />
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p class="meta" role="status">
        {copied()}
      </p>
      <button type="button" class="secondary" onClick={() => props.onDone()}>
        I have stored it
      </button>
    </section>
  );
}

function CreateTokenForm(props: { onCreated: (name: string, token: string) => void }) {
  const [name, setName] = createSignal('');
  const [scopes, setScopes] = createSignal<string[]>(['READ']);
  const [days, setDays] = createSignal('90');
  const submission = createSubmission(['name', 'scopes', 'expiresInDays']);

  const toggleScope = (scope: string, on: boolean) =>
    setScopes((current) =>
      on ? [...new Set([...current, scope])] : current.filter((item) => item !== scope),
    );

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const expiresInDays = Number(days());
    if (!Number.isInteger(expiresInDays)) {
      submission.reject([{ path: ['expiresInDays'], message: 'Enter a whole number of days.' }]);
      return;
    }
    const result = await submission.submit(() =>
      runMutation<{ token: string; apiToken: { name: string } }>(
        mutationDocument('createApiToken', 'CreateApiTokenInput', 'token apiToken { id name }'),
        'createApiToken',
        { name: name().trim(), scopes: scopes(), expiresInDays },
      ),
    );
    if (result.data) {
      props.onCreated(result.data.apiToken.name, result.data.token);
      setName('');
    }
  };

  return (
    <form onSubmit={submit} novalidate>
      <Field
        label="Token name"
        name="token-name"
        hint="Up to 80 characters, such as the script that uses it."
        maxLength={80}
        required
        value={name()}
        onValue={setName}
        error={submission.issue('name')}
      />
      <fieldset
        class="field"
        aria-describedby={submission.issue('scopes') ? 'scopes-error' : undefined}
      >
        <legend>What it may do</legend>
        <For each={Object.entries(SCOPE_LABELS)}>
          {([scope, label]) => (
            <label class="check">
              <input
                type="checkbox"
                checked={scopes().includes(scope)}
                onChange={(event) => toggleScope(scope, event.currentTarget.checked)}
              />
              {label}
            </label>
          )}
        </For>
        <Show when={submission.issue('scopes')}>
          <p class="field-error" id="scopes-error">
            {submission.issue('scopes')}
          </p>
        </Show>
      </fieldset>
      <Field
        label="Expires after (days)"
        name="token-days"
        type="number"
        min={1}
        max={365}
        hint="1 to 365 days."
        required
        value={days()}
        onValue={setDays}
        error={submission.issue('expiresInDays')}
      />
      <FormMessage error={submission.formError()} />
      <button type="submit" disabled={submission.busy()}>
        {submission.busy() ? 'Creating…' : 'Create token'}
      </button>
    </form>
  );
}

/** Creates personal API tokens, shows each secret once, and lists tokens with revoke buttons. */
export function ApiTokens(props: { tokens: ApiTokenRow[]; onChanged: () => void }) {
  const [created, setCreated] = createSignal<{ name: string; token: string } | null>(null);
  const { act, actionError } = createAction(() => props.onChanged());

  return (
    <>
      <Show when={created()}>
        {(secret) => (
          <NewTokenSecret
            name={secret().name}
            token={secret().token}
            onDone={() => setCreated(null)}
          />
        )}
      </Show>
      <Show when={actionError()}>
        <p class="form-error" role="alert">
          {actionError()}
        </p>
      </Show>
      <Show when={props.tokens.length > 0} fallback={<Empty>You have no API tokens.</Empty>}>
        <ul class="rows" data-testid="api-tokens">
          <For each={props.tokens}>
            {(token) => (
              <li class="row-with-actions" data-testid="api-token">
                <div>
                  <strong>{token.name}</strong>
                  <For each={token.scopes}>
                    {(scope) => <span class="tag subtle">{scope.toLowerCase()}</span>}
                  </For>
                  <p class="meta">
                    created {formatLocal(token.createdAt)} · last used{' '}
                    {token.lastUsedAt ? formatRelative(token.lastUsedAt) : 'never'} · expires{' '}
                    {formatLocal(token.expiresAt)}
                  </p>
                </div>
                <button
                  type="button"
                  class="secondary"
                  aria-label={`Revoke ${token.name}`}
                  onClick={() =>
                    void act('revokeApiToken', 'RevokeApiTokenInput', { id: token.id })
                  }
                >
                  Revoke
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <details class="panel">
        <summary>Create a token</summary>
        <CreateTokenForm
          onCreated={(name, token) => {
            setCreated({ name, token });
            props.onChanged();
          }}
        />
      </details>
    </>
  );
}
