import { type Accessor, createMemo, createSignal, type Signal, untrack } from 'solid-js';
import { STAFFROOM_BASE } from './base.ts';
import { resolveLocale } from './format.ts';
import type { EmbedTarget } from './graphql.ts';
import { getSignIn, type WidgetSignIn } from './sign-in.ts';

/** The attributes a widget reads; solid-element passes each one as a string. */
export interface WidgetProps {
  embedKey?: string;
  community?: string;
  session?: string;
  person?: string;
  items?: string;
  theme?: string;
  locale?: string;
}

/** The attributes every widget declares, with their defaults (empty: not given). */
export const WIDGET_ATTRIBUTES = {
  embedKey: '',
  community: '',
  session: '',
  person: '',
  items: '',
  theme: '',
  locale: '',
};

/** The context every part of a widget uses: server, key, sign-in, locale and announcements. */
export interface Widget {
  base: string;
  key: Accessor<string>;
  locale: Accessor<string | undefined>;
  signIn: Accessor<WidgetSignIn>;
  token: Accessor<string | null>;
  /** The current key and token, read without tracking. */
  target(): EmbedTarget;
  /** Whether the key was found revoked, by any widget on the page that uses it. */
  turnedOff: Accessor<boolean>;
  markTurnedOff(): void;
  /** The text of the widget's polite live region. */
  announcement: Accessor<string>;
  /** Announces `text` through the polite live region, even when it repeats the last message. */
  announce(text: string): void;
  /** Returns the absolute URL of a Staffroom path such as `/c/stem`. */
  link(path: string): string;
}

const revokedKeys = new Map<string, Signal<boolean>>();

function revokedSignal(key: string): Signal<boolean> {
  let signal = revokedKeys.get(key);
  if (!signal) {
    signal = createSignal(false);
    revokedKeys.set(key, signal);
  }
  return signal;
}

/** Creates the context of one widget element from its attributes. */
export function createWidget(props: WidgetProps): Widget {
  const key = createMemo(() => (props.embedKey ?? '').trim());
  const signIn = createMemo(() => getSignIn(STAFFROOM_BASE, key()));
  const token = () => signIn().token();
  // NOTE: the locale formats dates and numbers only; every widget's text is English.
  const locale = createMemo(() => resolveLocale(props.locale?.trim()));
  const [announcement, setAnnouncement] = createSignal('');
  let announceTimer: ReturnType<typeof setTimeout> | undefined;

  return {
    base: STAFFROOM_BASE,
    key,
    locale,
    signIn,
    token,
    target: () => untrack(() => ({ base: STAFFROOM_BASE, key: key(), token: token() })),
    turnedOff: () => revokedSignal(key())[0](),
    markTurnedOff() {
      revokedSignal(untrack(key))[1](true);
      // Revoking a key ends the sign-ins made for it.
      untrack(signIn).signOut();
    },
    announcement,
    announce(text) {
      // Screen readers announce a change of the region's text, so it is emptied first.
      setAnnouncement('');
      clearTimeout(announceTimer);
      announceTimer = setTimeout(() => setAnnouncement(text), 100);
    },
    link: (path) => `${STAFFROOM_BASE}${path}`,
  };
}

let minuteTicking = false;
const [minute, setMinute] = createSignal(Date.now());

/**
 * Returns the time, updated once a minute, for relative times such as "5 minutes ago". One
 * interval serves every widget on the page; it starts on the first call.
 */
export function currentMinute(): number {
  if (!minuteTicking) {
    minuteTicking = true;
    setInterval(() => setMinute(Date.now()), 60_000);
  }
  return minute();
}

const sheets = new Map<string, CSSStyleSheet>();

/**
 * Applies style sheets to a widget's shadow root as constructed style sheets, which a page's
 * Content-Security-Policy does not block, unlike `<style>` elements without 'unsafe-inline'.
 * Returns the CSS text to render in a `<style>` element when the browser lacks them.
 */
export function adoptStyles(root: ShadowRoot | HTMLElement, ...cssTexts: string[]): string | null {
  if (
    !('adoptedStyleSheets' in root) ||
    typeof CSSStyleSheet.prototype.replaceSync !== 'function'
  ) {
    return cssTexts.join('\n');
  }
  root.adoptedStyleSheets = cssTexts.map((text) => {
    let sheet = sheets.get(text);
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(text);
      sheets.set(text, sheet);
    }
    return sheet;
  });
  return null;
}
