import { createEffect, createSignal, onCleanup } from 'solid-js';

/**
 * Returns the whole seconds left until the instant `until` returns (milliseconds since the
 * epoch), ticking once a second, and 0 once it has passed or when `until` returns null.
 */
export function createCountdown(until: () => number | null): () => number {
  const [now, setNow] = createSignal(Date.now());
  createEffect(() => {
    const target = until();
    setNow(Date.now());
    if (target === null || target <= Date.now()) {
      return;
    }
    const timer = setInterval(() => {
      setNow(Date.now());
      if (Date.now() >= target) {
        clearInterval(timer);
      }
    }, 1000);
    onCleanup(() => clearInterval(timer));
  });
  return () => {
    const target = until();
    return target === null ? 0 : Math.max(0, Math.ceil((target - now()) / 1000));
  };
}

/** How long a typing note stays after the last TYPING signal of that person. */
const TYPING_VISIBLE_MS = 4000;

interface Typist {
  id: string;
  displayName: string;
  /** When the note ends, in milliseconds since the epoch. */
  until: number;
}

/**
 * Tracks who is typing from TYPING signals. A person's note ends about 4 seconds after their last
 * signal, or at once when their message arrives.
 */
export function createTypingTracker() {
  const [typists, setTypists] = createSignal<Typist[]>([]);
  let timer: ReturnType<typeof setTimeout> | undefined;

  const schedulePrune = () => {
    clearTimeout(timer);
    const list = typists();
    if (list.length === 0) {
      return;
    }
    const next = Math.min(...list.map((typist) => typist.until));
    timer = setTimeout(
      () => {
        const now = Date.now();
        setTypists((current) => current.filter((typist) => typist.until > now));
        schedulePrune();
      },
      Math.max(0, next - Date.now()) + 50,
    );
  };

  onCleanup(() => clearTimeout(timer));

  return {
    typists,
    add: (person: { id: string; displayName: string }) => {
      const until = Date.now() + TYPING_VISIBLE_MS;
      setTypists((current) => [
        ...current.filter((typist) => typist.id !== person.id),
        { ...person, until },
      ]);
      schedulePrune();
    },
    remove: (id: string) => {
      setTypists((current) => current.filter((typist) => typist.id !== id));
      schedulePrune();
    },
  };
}

/** Describes who is typing: "Milo is typing…", "Milo and Ana are typing…", or a count. */
export function describeTypists(names: string[]): string {
  if (names.length === 0) {
    return '';
  }
  if (names.length === 1) {
    return `${names[0]} is typing…`;
  }
  if (names.length === 2) {
    return `${names[0]} and ${names[1]} are typing…`;
  }
  return `${names.length} people are typing…`;
}
