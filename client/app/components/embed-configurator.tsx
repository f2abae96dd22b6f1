import { createSignal, For, Show } from 'solid-js';
import type { EmbedKey } from '../lib/embed-keys.ts';
import {
  frameSnippet,
  missingOption,
  scriptSnippet,
  WIDGET_NAMES,
  WIDGETS,
  type WidgetName,
  type WidgetOptions,
  type WidgetTheme,
  widgetAttributes,
} from '../lib/embed-snippets.ts';
import { createGraphQLQuery } from '../lib/graphql.ts';
import { viewer } from '../lib/session.ts';
import { formatLocal } from '../lib/time.ts';
import { CopySnippet, WidgetPreview } from './embed-preview.tsx';
import { Field } from './field.tsx';

const UPCOMING_SESSIONS = `query EmbedUpcomingSessions($slug: String!) { community(slug: $slug) {
  id upcomingLiveSessions(first: 50) { nodes { id title startsAt status } } } }`;

interface UpcomingSessionsData {
  community: {
    id: string;
    upcomingLiveSessions: {
      nodes: { id: string; title: string; startsAt: string; status: string }[];
    } | null;
  } | null;
}

const THEME_LABELS: Record<WidgetTheme, string> = {
  light: 'Light',
  dark: 'Dark',
  auto: "Follow the visitor's system setting",
};

/** Returns an error for an items count outside 1 to the widget's maximum, or undefined. */
function itemsError(value: string, max: number): string | undefined {
  const items = Number(value);
  if (!Number.isInteger(items) || items < 1 || items > max) {
    return `Enter a whole number from 1 to ${max}.`;
  }
  return undefined;
}

/** Returns an error for a locale that is not a BCP 47 language tag, or undefined. */
function localeError(value: string): string | undefined {
  if (!value.trim()) {
    return undefined;
  }
  try {
    Intl.getCanonicalLocales(value.trim());
    return undefined;
  } catch {
    return 'Enter a language tag such as es or en-US, or leave the field empty.';
  }
}

/** Renders a labelled select whose options are value and label pairs. */
function SelectField(props: {
  label: string;
  name: string;
  value: string;
  options: [string, string][];
  onValue: (value: string) => void;
  hint?: string;
}) {
  const id = () => `field-${props.name}`;
  return (
    <div class="field">
      <label for={id()}>{props.label}</label>
      <Show when={props.hint}>
        <p class="hint" id={`${id()}-hint`}>
          {props.hint}
        </p>
      </Show>
      <select
        id={id()}
        value={props.value}
        aria-describedby={props.hint ? `${id()}-hint` : undefined}
        onChange={(event) => props.onValue(event.currentTarget.value)}
      >
        <For each={props.options}>{([value, label]) => <option value={value}>{label}</option>}</For>
      </select>
    </div>
  );
}

/**
 * Builds a widget snippet for one of the owner's live keys: the owner picks a widget and its
 * options, previews the real widget, and copies the script or iframe variant.
 */
export function EmbedConfigurator(props: { keys: EmbedKey[] }) {
  const [keyId, setKeyId] = createSignal('');
  const [widget, setWidget] = createSignal<WidgetName>('feed');
  const [communitySlug, setCommunitySlug] = createSignal('');
  const [liveSession, setLiveSession] = createSignal('');
  const [badgesOf, setBadgesOf] = createSignal<'community' | 'person'>('community');
  const [person, setPerson] = createSignal('');
  const [items, setItems] = createSignal<Partial<Record<WidgetName, string>>>({});
  const [theme, setTheme] = createSignal<WidgetTheme>('light');
  const [locale, setLocale] = createSignal('');

  const live = () => props.keys.filter((key) => key.revokedAt === null);
  const embedKey = () => live().find((key) => key.id === keyId()) ?? live()[0];
  const communities = () => embedKey()?.communities ?? [];
  // A community chosen under another key falls back to this key's first one.
  const community = () =>
    communities().find((item) => item.slug === communitySlug()) ?? communities()[0];
  const itemsText = () => items()[widget()] ?? String(WIDGETS[widget()].defaultItems ?? '');
  const itemsProblem = () => {
    const max = WIDGETS[widget()].maxItems;
    return max === null ? undefined : itemsError(itemsText(), max);
  };

  const sessions = createGraphQLQuery<UpcomingSessionsData, { slug: string }>(
    UPCOMING_SESSIONS,
    () => {
      const slug = community()?.slug;
      return widget() === 'chat' && slug ? { slug } : false;
    },
  );
  const sessionChoices = () => sessions.data()?.community?.upcomingLiveSessions?.nodes ?? [];
  const chosenSession = () =>
    sessionChoices().find((item) => item.id === liveSession())?.id ?? sessionChoices()[0]?.id;

  const options = (): WidgetOptions => ({
    widget: widget(),
    embedKey: embedKey()?.key ?? '',
    community: community()?.slug ?? '',
    liveSession: chosenSession() ?? '',
    badgesOf: badgesOf(),
    person: person().trim(),
    items: Number(itemsText()),
    theme: theme(),
    locale: locale(),
  });
  const problem = () => missingOption(options()) ?? itemsProblem() ?? localeError(locale());

  return (
    <Show
      when={live().length > 0}
      fallback={<p>Create a key above to get a snippet for your site.</p>}
    >
      <div class="embed-configurator">
        <div class="embed-options">
          <SelectField
            label="Embed key"
            name="configurator-key"
            value={embedKey()?.id ?? ''}
            options={live().map((key) => [key.id, `${key.name} (${key.key})`])}
            onValue={setKeyId}
          />
          <fieldset class="field">
            <legend>Widget</legend>
            <For each={WIDGET_NAMES}>
              {(name) => (
                <label class="widget-choice">
                  <input
                    type="radio"
                    name="configurator-widget"
                    value={name}
                    checked={widget() === name}
                    onChange={() => setWidget(name)}
                  />
                  <span>
                    <strong>{WIDGETS[name].label}</strong>
                    <span class="hint"> {WIDGETS[name].description}</span>
                  </span>
                </label>
              )}
            </For>
          </fieldset>
          <Show when={widget() === 'badges'}>
            <fieldset class="field">
              <legend>Badges of</legend>
              <label class="check">
                <input
                  type="radio"
                  name="configurator-badges-of"
                  checked={badgesOf() === 'community'}
                  onChange={() => setBadgesOf('community')}
                />
                A community
              </label>
              <label class="check">
                <input
                  type="radio"
                  name="configurator-badges-of"
                  checked={badgesOf() === 'person'}
                  onChange={() => setBadgesOf('person')}
                />
                One person
              </label>
            </fieldset>
          </Show>
          <Show when={!(widget() === 'badges' && badgesOf() === 'person')}>
            <SelectField
              label="Community"
              name="configurator-community"
              value={community()?.slug ?? ''}
              options={communities().map((item) => [item.slug, item.name])}
              onValue={setCommunitySlug}
            />
          </Show>
          <Show when={widget() === 'chat'}>
            <Show
              when={sessionChoices().length > 0}
              fallback={
                <p class="hint" role="status">
                  {sessions.loading()
                    ? 'Loading live sessions…'
                    : (sessions.error() ??
                      'This community has no upcoming live sessions. Schedule one first.')}
                </p>
              }
            >
              <SelectField
                label="Live session"
                name="configurator-live-session"
                value={chosenSession() ?? ''}
                options={sessionChoices().map((item) => [
                  item.id,
                  `${item.title}, ${formatLocal(item.startsAt)}${item.status === 'LIVE' ? ' (live now)' : ''}`,
                ])}
                onValue={setLiveSession}
              />
            </Show>
          </Show>
          <Show when={widget() === 'badges' && badgesOf() === 'person'}>
            <Field
              label="Person's id"
              name="configurator-person"
              hint="The part of the person's profile address after /u/. The widget shows only badges the visitor may see."
              spellcheck={false}
              value={person()}
              onValue={setPerson}
            />
            <Show when={viewer()}>
              {(current) => (
                <button type="button" class="link-button" onClick={() => setPerson(current().id)}>
                  Use my own id
                </button>
              )}
            </Show>
          </Show>
          <Show when={WIDGETS[widget()].maxItems}>
            {(max) => (
              <Field
                label="Items"
                name="configurator-items"
                type="number"
                min={1}
                max={max()}
                hint={`How many entries the widget lists, 1 to ${max()}.`}
                value={itemsText()}
                onValue={(value) => setItems((current) => ({ ...current, [widget()]: value }))}
                error={itemsProblem()}
              />
            )}
          </Show>
          <SelectField
            label="Theme"
            name="configurator-theme"
            value={theme()}
            options={Object.entries(THEME_LABELS)}
            onValue={(value) => setTheme(value as WidgetTheme)}
          />
          <Field
            label="Language (optional)"
            name="configurator-locale"
            hint="A language tag such as es or en-US. Empty: the host page's language, then the visitor's browser."
            spellcheck={false}
            value={locale()}
            onValue={setLocale}
            error={localeError(locale())}
          />
        </div>

        <section class="embed-output" aria-labelledby="preview-heading">
          <h3 id="preview-heading">Preview</h3>
          <Show
            when={!problem()}
            fallback={
              <p class="hint" data-testid="configurator-problem">
                {problem()}
              </p>
            }
          >
            <WidgetPreview tag={WIDGETS[widget()].tag} attributes={widgetAttributes(options())} />
            <h3>Snippet</h3>
            <CopySnippet
              label="Script snippet"
              name="script"
              hint="Paste it where the widget should appear. Several widgets on one page need the script tag only once."
              rows={5}
              text={scriptSnippet(location.origin, options())}
            />
            <CopySnippet
              label="Iframe snippet"
              name="iframe"
              hint="For sites that do not allow scripts. Only the allowed sites above may frame it."
              rows={5}
              text={frameSnippet(location.origin, options())}
            />
          </Show>
        </section>
      </div>
    </Show>
  );
}
