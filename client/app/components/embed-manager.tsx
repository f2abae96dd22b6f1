import { createSignal, type JSX } from 'solid-js';
import type { EmbedKey, EmbedKeyOwner } from '../lib/embed-keys.ts';
import { EmbedConfigurator } from './embed-configurator.tsx';
import { EmbedKeyForm } from './embed-key-form.tsx';
import { EmbedKeyList } from './embed-key-list.tsx';
import { FormMessage } from './field.tsx';

/**
 * Renders the sections of an owner's embed page: the keys with their usage, a form for a new key, and
 * the snippet builder with its live preview.
 */
export function EmbedManager(props: {
  owner: EmbedKeyOwner;
  keys: EmbedKey[];
  onChanged: () => void;
  /** What widgets with this owner's keys show to whom, above the key list. */
  intro: JSX.Element;
}) {
  const [created, setCreated] = createSignal('');
  const [newKeyId, setNewKeyId] = createSignal<string | null>(null);

  return (
    <>
      <nav aria-label="Sections" class="section-nav">
        <a href="#embed-keys-heading">Keys</a>
        <a href="#embed-new-key-heading">New key</a>
        <a href="#embed-snippet-heading">Snippet and preview</a>
      </nav>
      {props.intro}

      <section aria-labelledby="embed-keys-heading">
        <h2 id="embed-keys-heading" tabindex="-1">
          Keys
        </h2>
        <p class="hint">
          A key is public: it is written in the snippet. It works in browsers on its allowed sites
          only, and only for the communities it lists.
        </p>
        <EmbedKeyList
          owner={props.owner}
          keys={props.keys}
          onChanged={() => {
            // A note about a new key would go stale once any key changes.
            setCreated('');
            props.onChanged();
          }}
          focusKeyId={newKeyId()}
          onFocused={() => setNewKeyId(null)}
        />
      </section>

      <section aria-labelledby="embed-new-key-heading">
        <h2 id="embed-new-key-heading" tabindex="-1">
          New key
        </h2>
        <div class="panel">
          <EmbedKeyForm
            owner={props.owner}
            onSaved={(key) => {
              setCreated(`Key “${key.name}” created: ${key.key}. Build its snippet below.`);
              // Focus moves to the new key once the refetched list shows it.
              setNewKeyId(key.id);
              props.onChanged();
            }}
          />
          <FormMessage success={created()} />
        </div>
      </section>

      <section aria-labelledby="embed-snippet-heading">
        <h2 id="embed-snippet-heading" tabindex="-1">
          Snippet and preview
        </h2>
        <EmbedConfigurator keys={props.keys} />
      </section>
    </>
  );
}
