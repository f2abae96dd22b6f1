import { createMemo, createSignal, For, Show } from 'solid-js';
import { client, describeError } from '../lib/graphql.ts';

/** Members offered for mentions; a larger community lists its first 100 members only. */
const MEMBER_LIMIT = 100;
/** Matches shown at once. */
const SHOWN = 8;

const MEMBERS = `members(first: ${MEMBER_LIMIT}) { nodes { id user { id displayName } } }`;
const MENTION_CANDIDATES = `query MentionCandidates($id: ID!) { node(id: $id) {
  id ... on Thread { community { id ${MEMBERS} } } ... on Community { ${MEMBERS} } } }`;

interface Candidate {
  id: string;
  displayName: string;
}

interface MemberPage {
  members?: { nodes: { user: Candidate | null }[] } | null;
}

interface CandidateData {
  node: (MemberPage & { community?: MemberPage }) | null;
}

/**
 * Builds the mention token that the server resolves to a person: a markdown link to their profile
 * after an `@`. Brackets in a display name are dropped so that the link stays well formed.
 */
export function mentionToken(person: Candidate): string {
  return `@[${person.displayName.replace(/[[\]\n]/g, '')}](/u/${person.id})`;
}

/**
 * Renders a combobox of the members of a community, given by its id or the id of one of its
 * threads. Choosing one calls `onPick` with the mention token to insert. Arrow keys move through
 * the matches, Enter picks and Escape closes.
 */
export function MentionPicker(props: { sourceId: string; onPick: (token: string) => void }) {
  const [open, setOpen] = createSignal(false);
  const [query, setQuery] = createSignal('');
  const [members, setMembers] = createSignal<Candidate[] | null>(null);
  const [error, setError] = createSignal('');
  const [active, setActive] = createSignal(0);
  const listId = `mention-list-${props.sourceId.replace(/[^A-Za-z0-9]/g, '')}`;

  const load = async () => {
    setError('');
    const result = await client
      .query<CandidateData>(MENTION_CANDIDATES, { id: props.sourceId })
      .toPromise();
    if (result.error) {
      setError(describeError(result.error));
      return;
    }
    const node = result.data?.node;
    const nodes = (node?.community ?? node)?.members?.nodes ?? [];
    setMembers(nodes.flatMap((node) => (node.user ? [node.user] : [])));
  };

  const matches = createMemo(() => {
    const text = query().trim().toLowerCase();
    return (members() ?? [])
      .filter((person) => person.displayName.toLowerCase().includes(text))
      .slice(0, SHOWN);
  });

  const pick = (person: Candidate | undefined) => {
    if (!person) {
      return;
    }
    props.onPick(mentionToken(person));
    setQuery('');
    setOpen(false);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      const count = matches().length;
      setActive((index) => (count === 0 ? 0 : (index + step + count) % count));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      pick(matches()[active()]);
    } else if (event.key === 'Escape') {
      setOpen(false);
    }
  };

  return (
    <div class="mention-picker">
      <Show
        when={open()}
        fallback={
          <button
            type="button"
            class="secondary"
            onClick={() => {
              setOpen(true);
              if (members() === null) {
                void load();
              }
            }}
          >
            Mention someone
          </button>
        }
      >
        <label for={`${listId}-input`}>Mention a member</label>
        <input
          id={`${listId}-input`}
          role="combobox"
          aria-expanded={matches().length > 0}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={matches()[active()] ? `${listId}-${active()}` : undefined}
          autocomplete="off"
          value={query()}
          onInput={(event) => {
            setQuery(event.currentTarget.value);
            setActive(0);
          }}
          onKeyDown={onKeyDown}
          ref={(element) => queueMicrotask(() => element.focus())}
        />
        <Show when={error()}>
          <p class="form-error" role="alert">
            {error()}
          </p>
        </Show>
        <Show when={members() === null && !error()}>
          <p class="meta">Loading members…</p>
        </Show>
        <div id={listId} role="listbox" class="mention-options" aria-label="Members">
          <For each={matches()}>
            {(person, index) => (
              <div
                id={`${listId}-${index()}`}
                role="option"
                tabIndex={-1}
                aria-selected={index() === active()}
                onMouseDown={(event) => {
                  // Keeps the focus in the input until the click has picked the person.
                  event.preventDefault();
                  pick(person);
                }}
              >
                {person.displayName}
              </div>
            )}
          </For>
        </div>
      </Show>
    </div>
  );
}
