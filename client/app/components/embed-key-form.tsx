import { createEffect, createSignal, For, onMount, Show } from 'solid-js';
import {
  CREATE_EMBED_KEY,
  describeOriginCount,
  describeOriginIssues,
  type EmbedKey,
  type EmbedKeyCommunity,
  type EmbedKeyOwner,
  MAX_KEY_NAME_LENGTH,
  MAX_KEY_ORIGINS,
  parseOriginLines,
  UPDATE_EMBED_KEY,
} from '../lib/embed-keys.ts';
import { runMutation } from '../lib/graphql.ts';
import { VISIBILITY_LABELS } from '../lib/operations.ts';
import { createSubmission } from '../lib/submission.ts';
import { FormMessage } from './field.tsx';

const FORM_FIELDS = ['name', 'allowedOrigins', 'communityIds', 'districtReadAccepted'];

/**
 * Renders the key name input with a count of its characters. The input stops at the maximum
 * length, so a status message reports how many characters of a longer paste or typed text were
 * left out.
 */
function KeyNameField(props: {
  name: string;
  value: string;
  onValue: (value: string) => void;
  error?: string;
}) {
  const id = () => `field-${props.name}`;
  const [leftOut, setLeftOut] = createSignal(0);

  createEffect(() => {
    if (props.value === '') {
      setLeftOut(0);
    }
  });

  // `beforeinput` carries the whole inserted text, before `maxlength` shortens it.
  const countLeftOut = (event: InputEvent) => {
    const input = event.currentTarget as HTMLInputElement;
    const inserted = event.data ?? event.dataTransfer?.getData('text/plain') ?? '';
    const replaced = (input.selectionEnd ?? 0) - (input.selectionStart ?? 0);
    const length = input.value.length - replaced + inserted.length;
    setLeftOut(Math.max(0, length - MAX_KEY_NAME_LENGTH));
  };

  return (
    <div class="field" classList={{ invalid: Boolean(props.error) }}>
      <label for={id()}>Key name</label>
      <p class="hint" id={`${id()}-hint`}>
        Up to {MAX_KEY_NAME_LENGTH} characters, such as the site that shows the widgets.
      </p>
      <input
        id={id()}
        name={props.name}
        required
        maxLength={MAX_KEY_NAME_LENGTH}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={`${id()}-hint ${id()}-count${props.error ? ` ${id()}-error` : ''}`}
        value={props.value}
        onBeforeInput={countLeftOut}
        onInput={(event) => props.onValue(event.currentTarget.value)}
      />
      <p class="hint" id={`${id()}-count`} data-testid="key-name-count">
        {props.value.length} of {MAX_KEY_NAME_LENGTH} characters
      </p>
      <p class="hint" role="status" data-testid="key-name-left-out">
        <Show when={leftOut() > 0}>
          The name stops at {MAX_KEY_NAME_LENGTH} characters, so the last {leftOut()} characters
          entered were left out.
        </Show>
      </p>
      <Show when={props.error}>
        <p class="field-error" id={`${id()}-error`}>
          {props.error}
        </p>
      </Show>
    </div>
  );
}

/** Renders the textarea of allowed origins, one per line, with each rejected line named below it. */
function OriginsField(props: {
  name: string;
  value: string;
  onValue: (value: string) => void;
  issues: string[];
}) {
  const id = () => `field-${props.name}`;
  const count = () => parseOriginLines(props.value).origins.length;
  return (
    <div class="field" classList={{ invalid: props.issues.length > 0 }}>
      <label for={id()}>Allowed sites (origins)</label>
      <p class="hint" id={`${id()}-hint`}>
        One per line, such as https://portal.example.org or https://intranet.example.org:8443:
        scheme, host and port only, no path or wildcard, at most {MAX_KEY_ORIGINS}. Plain http works
        only for localhost, 127.0.0.1 and [::1]. Staffroom's own address is always allowed.
      </p>
      <textarea
        id={id()}
        name={props.name}
        rows={4}
        spellcheck={false}
        autocapitalize="off"
        aria-invalid={props.issues.length > 0 ? 'true' : undefined}
        aria-describedby={`${id()}-hint ${id()}-count${props.issues.length > 0 ? ` ${id()}-error` : ''}`}
        value={props.value}
        onInput={(event) => props.onValue(event.currentTarget.value)}
      />
      <p class="hint" id={`${id()}-count`} data-testid="origin-count">
        {describeOriginCount(count())}
      </p>
      <Show when={props.issues.length > 0}>
        <ul class="field-error" id={`${id()}-error`} data-testid="origin-issues">
          <For each={props.issues}>{(issue) => <li>{issue}</li>}</For>
        </ul>
      </Show>
    </div>
  );
}

/** Renders checkboxes for the district communities that a district key may show. */
function CommunityChoice(props: {
  name: string;
  communities: EmbedKeyCommunity[];
  chosen: string[];
  onChosen: (ids: string[]) => void;
  error?: string;
}) {
  const toggle = (id: string, on: boolean) =>
    props.onChosen(
      on ? [...new Set([...props.chosen, id])] : props.chosen.filter((item) => item !== id),
    );
  return (
    <fieldset
      class="field"
      classList={{ invalid: Boolean(props.error) }}
      aria-describedby={props.error ? `${props.name}-error` : undefined}
    >
      <legend>Communities it shows</legend>
      <Show
        when={props.communities.length > 0}
        fallback={<p class="hint">The district has no communities yet.</p>}
      >
        <For each={props.communities}>
          {(community) => (
            <label class="check embed-community-choice">
              <input
                type="checkbox"
                checked={props.chosen.includes(community.id)}
                onChange={(event) => toggle(community.id, event.currentTarget.checked)}
              />
              {community.name}{' '}
              <span class="meta">({VISIBILITY_LABELS[community.visibility]?.toLowerCase()})</span>
            </label>
          )}
        </For>
      </Show>
      <Show when={props.error}>
        <p class="field-error" id={`${props.name}-error`}>
          {props.error}
        </p>
      </Show>
    </fieldset>
  );
}

/** Renders the explicit opt-in that lets a district key show district communities without a sign-in. */
function DistrictReadField(props: {
  name: string;
  checked: boolean;
  onChecked: (checked: boolean) => void;
  error?: string;
}) {
  const id = () => `field-${props.name}`;
  return (
    <div class="field danger-zone" classList={{ invalid: Boolean(props.error) }}>
      <p id={`${id()}-hint`}>
        Without this, district communities show only to visitors who sign in as district staff. An
        embed key is public: it is written in the page. With this turned on,{' '}
        <strong>
          anyone holding the snippet, including scripts on any site, can read the district
          communities chosen above
        </strong>
        : their threads, live sessions and badges. The allowed sites check protects visitors'
        browsers only; a script outside a browser can send any origin it likes. Private communities
        never show without a sign-in.
      </p>
      <label class="check">
        <input
          id={id()}
          type="checkbox"
          checked={props.checked}
          aria-describedby={`${id()}-hint${props.error ? ` ${id()}-error` : ''}`}
          onChange={(event) => props.onChecked(event.currentTarget.checked)}
        />
        I accept that anyone with the snippet can read these district communities
      </label>
      <Show when={props.error}>
        <p class="field-error" id={`${id()}-error`}>
          {props.error}
        </p>
      </Show>
    </div>
  );
}

/** Returns the message of the first issue under `field`, whatever index follows it. */
function issueUnder(
  issues: { path: string[]; message: string }[] | undefined,
  field: string,
): string | undefined {
  return issues?.find((issue) => issue.path[0] === field)?.message;
}

/**
 * Creates an embed key, or with `embedKey` changes one: its name, allowed origins and, for a
 * district key, its communities and whether district read without a sign-in is accepted.
 */
export function EmbedKeyForm(props: {
  owner: EmbedKeyOwner;
  embedKey?: EmbedKey;
  onSaved: (key: EmbedKey) => void;
  onCancel?: () => void;
}) {
  const prefix = () => (props.embedKey ? `edit-${props.embedKey.id}` : 'new-embed-key');
  const [name, setName] = createSignal(props.embedKey?.name ?? '');
  const [origins, setOrigins] = createSignal(props.embedKey?.allowedOrigins.join('\n') ?? '');
  const [communityIds, setCommunityIds] = createSignal(
    props.embedKey?.communities.map((community) => community.id) ?? [],
  );
  const [districtRead, setDistrictRead] = createSignal(
    props.embedKey?.districtReadAccepted ?? false,
  );
  const [sentOrigins, setSentOrigins] = createSignal(parseOriginLines(''));
  const submission = createSubmission(FORM_FIELDS);
  let form: HTMLFormElement | undefined;

  // An edit form opens from its key's Edit button, so focus moves to its first field.
  onMount(() => {
    if (props.embedKey) {
      form?.querySelector('input')?.focus();
    }
  });

  const input = () => {
    const parsed = parseOriginLines(origins());
    setSentOrigins(parsed);
    const common = { name: name().trim(), allowedOrigins: parsed.origins };
    const district =
      props.owner.kind === 'district'
        ? { communityIds: communityIds(), districtReadAccepted: districtRead() }
        : {};
    if (props.embedKey) {
      return { embedKeyId: props.embedKey.id, ...common, ...district };
    }
    const ownerId =
      props.owner.kind === 'community'
        ? { communityId: props.owner.id }
        : { districtId: props.owner.id };
    return { ...ownerId, ...common, ...district };
  };

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const field = props.embedKey ? 'updateEmbedKey' : 'createEmbedKey';
    const result = await submission.submit(() =>
      runMutation<EmbedKey>(props.embedKey ? UPDATE_EMBED_KEY : CREATE_EMBED_KEY, field, input()),
    );
    if (result.data) {
      if (!props.embedKey) {
        setName('');
        setOrigins('');
        setCommunityIds([]);
        setDistrictRead(false);
      }
      props.onSaved(result.data);
    }
  };

  const issues = () => submission.outcome()?.issues;
  const district = () => (props.owner.kind === 'district' ? props.owner : null);
  const submitLabel = () => {
    if (props.embedKey) {
      return submission.busy() ? 'Saving…' : 'Save changes';
    }
    return submission.busy() ? 'Creating…' : 'Create key';
  };

  return (
    <form ref={form} onSubmit={submit} novalidate data-testid="embed-key-form">
      <KeyNameField
        name={`${prefix()}-name`}
        value={name()}
        onValue={setName}
        error={submission.issue('name')}
      />
      <OriginsField
        name={`${prefix()}-origins`}
        value={origins()}
        onValue={setOrigins}
        issues={describeOriginIssues(issues(), sentOrigins())}
      />
      <Show when={district()}>
        {(current) => (
          <>
            <CommunityChoice
              name={`${prefix()}-communities`}
              communities={current().communities}
              chosen={communityIds()}
              onChosen={setCommunityIds}
              error={issueUnder(issues(), 'communityIds')}
            />
            <DistrictReadField
              name={`${prefix()}-district-read`}
              checked={districtRead()}
              onChecked={setDistrictRead}
              error={issueUnder(issues(), 'districtReadAccepted')}
            />
          </>
        )}
      </Show>
      <FormMessage error={submission.formError()} />
      <div class="actions">
        <button type="submit" disabled={submission.busy()}>
          {submitLabel()}
        </button>
        <Show when={props.onCancel}>
          <button type="button" class="secondary" onClick={() => props.onCancel?.()}>
            Cancel
          </button>
        </Show>
      </div>
    </form>
  );
}
