import { useNavigate } from '@solidjs/router';
import { createSignal, For, Show } from 'solid-js';
import { runMutation } from '../lib/graphql.ts';
import { FOCUS_LABELS, mutationDocument } from '../lib/operations.ts';
import { createSubmission } from '../lib/submission.ts';
import { Field, FormMessage } from './field.tsx';

export function NewCommunityForm() {
  const navigate = useNavigate();
  const [name, setName] = createSignal('');
  const [description, setDescription] = createSignal('');
  const [focus, setFocus] = createSignal('STEM');
  const [visibility, setVisibility] = createSignal('PUBLIC');
  const submission = createSubmission(['name', 'description', 'visibility']);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const result = await submission.submit(() =>
      runMutation<{ slug: string }>(
        mutationDocument('createCommunity', 'CreateCommunityInput', 'id slug'),
        'createCommunity',
        { name: name(), description: description(), focus: focus(), visibility: visibility() },
      ),
    );
    if (result.data) {
      navigate(`/c/${result.data.slug}`);
    }
  };

  return (
    <details class="panel">
      <summary>Start a community</summary>
      <form onSubmit={submit}>
        <Field
          label="Name"
          name="community-name"
          maxLength={120}
          required
          value={name()}
          onValue={setName}
          error={submission.issue('name')}
        />
        <Field
          label="What is it for?"
          name="community-description"
          multiline
          rows={3}
          hint="Markdown works."
          value={description()}
          onValue={setDescription}
          error={submission.issue('description')}
        />
        <div class="field">
          <label for="community-focus">Focus</label>
          <select
            id="community-focus"
            value={focus()}
            onChange={(event) => setFocus(event.currentTarget.value)}
          >
            <For each={Object.entries(FOCUS_LABELS)}>
              {([value, label]) => <option value={value}>{label}</option>}
            </For>
          </select>
        </div>
        <div class="field" classList={{ invalid: Boolean(submission.issue('visibility')) }}>
          <label for="community-visibility">Who can read it</label>
          <select
            id="community-visibility"
            value={visibility()}
            onChange={(event) => setVisibility(event.currentTarget.value)}
            aria-describedby={
              submission.issue('visibility') ? 'community-visibility-error' : undefined
            }
          >
            <option value="PUBLIC">Public: anyone; signed-in educators may join</option>
            <option value="DISTRICT">District: staff of your district</option>
            <option value="PRIVATE">Private: members only</option>
          </select>
          <Show when={submission.issue('visibility')}>
            <p class="field-error" id="community-visibility-error">
              {submission.issue('visibility')}
            </p>
          </Show>
        </div>
        <FormMessage error={submission.formError()} />
        <button type="submit" disabled={submission.busy()}>
          {submission.busy() ? 'Creating…' : 'Create community'}
        </button>
      </form>
    </details>
  );
}
