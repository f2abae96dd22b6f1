import { createSignal, For, Show } from 'solid-js';
import { runMutation } from '../lib/graphql.ts';
import { FOCUS_LABELS, mutationDocument } from '../lib/operations.ts';
import { createSubmission } from '../lib/submission.ts';
import { Field, FormMessage } from './field.tsx';

export interface CommunitySettings {
  id: string;
  name: string;
  description: string;
  focus: string;
  visibility: string;
  listed: boolean;
}

/** Edits a community's name, description, focus, visibility and listing, for its owners. */
export function CommunitySettingsForm(props: {
  community: CommunitySettings;
  onSaved: (slug: string) => void;
}) {
  const [name, setName] = createSignal(props.community.name);
  const [description, setDescription] = createSignal(props.community.description);
  const [focus, setFocus] = createSignal(props.community.focus);
  const [visibility, setVisibility] = createSignal(props.community.visibility);
  const [listed, setListed] = createSignal(props.community.listed);
  const [success, setSuccess] = createSignal('');
  const submission = createSubmission(['name', 'description', 'focus', 'visibility', 'listed']);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setSuccess('');
    const result = await submission.submit(() =>
      runMutation<{ slug: string }>(
        mutationDocument('updateCommunity', 'UpdateCommunityInput', 'id slug'),
        'updateCommunity',
        {
          communityId: props.community.id,
          name: name().trim(),
          description: description(),
          focus: focus(),
          visibility: visibility(),
          listed: listed(),
        },
      ),
    );
    if (result.data) {
      setSuccess('Settings saved.');
      props.onSaved(result.data.slug);
    }
  };

  return (
    <form onSubmit={submit} novalidate>
      <Field
        label="Name"
        name="settings-name"
        maxLength={120}
        required
        value={name()}
        onValue={setName}
        error={submission.issue('name')}
      />
      <Field
        label="Description"
        name="settings-description"
        multiline
        rows={4}
        hint="Markdown works."
        value={description()}
        onValue={setDescription}
        error={submission.issue('description')}
      />
      <div class="field">
        <label for="settings-focus">Focus</label>
        <select
          id="settings-focus"
          value={focus()}
          onChange={(event) => setFocus(event.currentTarget.value)}
        >
          <For each={Object.entries(FOCUS_LABELS)}>
            {([value, label]) => <option value={value}>{label}</option>}
          </For>
        </select>
      </div>
      <div class="field" classList={{ invalid: Boolean(submission.issue('visibility')) }}>
        <label for="settings-visibility">Who can read it</label>
        <select
          id="settings-visibility"
          value={visibility()}
          onChange={(event) => setVisibility(event.currentTarget.value)}
          aria-describedby={
            submission.issue('visibility') ? 'settings-visibility-error' : undefined
          }
        >
          <option value="PUBLIC">Public: anyone; signed-in educators may join</option>
          <option value="DISTRICT">District: staff of the community's district</option>
          <option value="PRIVATE">Private: members only</option>
        </select>
        <Show when={submission.issue('visibility')}>
          <p class="field-error" id="settings-visibility-error">
            {submission.issue('visibility')}
          </p>
        </Show>
      </div>
      <Show when={visibility() === 'PRIVATE'}>
        <div class="field">
          <label class="check">
            <input
              type="checkbox"
              checked={listed()}
              onChange={(event) => setListed(event.currentTarget.checked)}
              aria-describedby="settings-listed-hint"
            />
            Listed in the directory
          </label>
          <p class="hint" id="settings-listed-hint">
            People who are not members see its name and description and may ask to join. An unlisted
            community takes members by invitation only.
          </p>
          <Show when={submission.issue('listed')}>
            <p class="field-error">{submission.issue('listed')}</p>
          </Show>
        </div>
      </Show>
      <FormMessage error={submission.formError()} success={success()} />
      <button type="submit" disabled={submission.busy()}>
        {submission.busy() ? 'Saving…' : 'Save settings'}
      </button>
    </form>
  );
}
