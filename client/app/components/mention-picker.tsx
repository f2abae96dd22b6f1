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
 * Inserts a mention token in place of the selection from `start` to `end`, with a space on each
 * side where the text has none. Returns the new text and the caret position after the token.
 */
export function insertMention(
  text: string,
  token: string,
  start: number,
  end: number,
): { text: string; caret: number } {
  const before = text.slice(0, start);
  const after = text.slice(end);
  const leading = before && !/\s$/.test(before) ? ' ' : '';
  const trailing = /^\s/.test(after) ? '' : ' ';
  const inserted = `${leading}${token}${trailing}`;
  return { text: `${before}${inserted}${after}`, caret: before.length + inserted.length };
}

/**
 * Renders a combobox of the members of a community, given by its id or the id of one of its
 * threads. Choosing one inserts the mention token at the caret of the text box whose id is
 * `textBoxId` and calls `onText` with the new text. Arrow keys move through the matches, Enter
 * picks and Escape closes. Picking or closing returns the focus to the text box, at the caret.
 */
export function MentionPicker(props: {
  sourceId: string;
  textBoxId: string;
  onText: (text: string) => void;
}) {
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

  const textBox = () =>
    document.getElementById(props.textBoxId) as HTMLTextAreaElement | HTMLInputElement | null;

  /** Closes the picker and moves the focus back to the text box, with the caret at `caret`. */
  const close = (caret?: number) => {
    setQuery('');
    setOpen(false);
    // After the text box has rendered the new text, which would otherwise move the caret to the end.
    queueMicrotask(() => {
      const box = textBox();
      box?.focus();
      if (box && caret !== undefined) {
        box.setSelectionRange(caret, caret);
      }
    });
  };

  const pick = (person: Candidate | undefined) => {
    if (!person) {
      return;
    }
    const box = textBox();
    const current = box?.value ?? '';
    const inserted = insertMention(
      current,
      mentionToken(person),
      box?.selectionStart ?? current.length,
      box?.selectionEnd ?? current.length,
    );
    props.onText(inserted.text);
    close(inserted.caret);
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
      event.preventDefault();
      close();
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
