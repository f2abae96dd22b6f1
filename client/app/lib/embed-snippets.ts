export type WidgetName = 'feed' | 'sessions' | 'chat' | 'badges' | 'community';

export type WidgetTheme = 'auto' | 'light' | 'dark';

export interface WidgetInfo {
  label: string;
  /** The custom element that the loader defines. */
  tag: string;
  description: string;
  /** Items shown when the owner does not choose; null for a widget without a list. */
  defaultItems: number | null;
  /** The maximum of `items`: the widget clamps a larger value to it. */
  maxItems: number | null;
  /** Height of the iframe variant in CSS pixels: a starting point that the host page may change. */
  frameHeight: number;
}

export const WIDGETS: Record<WidgetName, WidgetInfo> = {
  feed: {
    label: 'Community feed',
    tag: 'staffroom-feed',
    description: 'The latest threads, with new posts arriving live.',
    defaultItems: 5,
    maxItems: 20,
    frameHeight: 480,
  },
  sessions: {
    label: 'Upcoming live sessions',
    tag: 'staffroom-sessions',
    description: 'Scheduled and running live sessions, soonest first.',
    defaultItems: 5,
    maxItems: 20,
    frameHeight: 400,
  },
  chat: {
    label: 'Live chat',
    tag: 'staffroom-chat',
    description:
      "One live session's chat. Signed-out visitors read it; members who sign in can write.",
    defaultItems: 30,
    maxItems: 100,
    frameHeight: 520,
  },
  badges: {
    label: 'Badge showcase',
    tag: 'staffroom-badges',
    description: "A community's badges, or the badges one person holds.",
    defaultItems: 12,
    maxItems: 48,
    frameHeight: 360,
  },
  community: {
    label: 'Community card',
    tag: 'staffroom-community',
    description: 'Name, description and member count, with a link to join.',
    defaultItems: null,
    maxItems: null,
    frameHeight: 240,
  },
};

export const WIDGET_NAMES = Object.keys(WIDGETS) as WidgetName[];

export interface WidgetOptions {
  widget: WidgetName;
  embedKey: string;
  /** Community slug, for every widget but the chat and a person's badges. */
  community: string;
  /** Live session global id, for the chat. */
  liveSession: string;
  /** For the badge showcase: a community's badges or one person's. */
  badgesOf: 'community' | 'person';
  /** User global id, for a person's badges. */
  person: string;
  items: number;
  theme: WidgetTheme;
  /** A BCP 47 language tag such as es or en-US; empty to follow the host page. */
  locale: string;
}

/**
 * Lists the attributes of a widget element for the chosen options, in the order a snippet
 * shows them. The iframe variant takes the same names as query parameters.
 */
export function widgetAttributes(options: WidgetOptions): [string, string][] {
  const info = WIDGETS[options.widget];
  const attributes: [string, string][] = [['embed-key', options.embedKey]];
  if (options.widget === 'chat') {
    attributes.push(['session', options.liveSession]);
  } else if (options.widget === 'badges' && options.badgesOf === 'person') {
    attributes.push(['person', options.person]);
  } else {
    attributes.push(['community', options.community]);
  }
  if (info.defaultItems !== null) {
    attributes.push(['items', String(options.items)]);
  }
  attributes.push(['theme', options.theme]);
  if (options.locale.trim()) {
    attributes.push(['locale', options.locale.trim()]);
  }
  return attributes;
}

/** Returns what the options still lack before a snippet works, or null when nothing does. */
export function missingOption(options: WidgetOptions): string | null {
  if (options.widget === 'chat') {
    return options.liveSession ? null : 'Choose a live session for the chat.';
  }
  if (options.widget === 'badges' && options.badgesOf === 'person') {
    return options.person.trim() ? null : "Enter the person's id for their badges.";
  }
  return options.community ? null : 'Choose a community.';
}

function escapeAttribute(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('"', '&quot;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;');
}

/** Builds the loader script tag and the widget element, for pasting into a page's HTML. */
export function scriptSnippet(base: string, options: WidgetOptions): string {
  const tag = WIDGETS[options.widget].tag;
  const attributes = widgetAttributes(options)
    .map(([name, value]) => ` ${name}="${escapeAttribute(value)}"`)
    .join('');
  return [
    `<script type="module" src="${escapeAttribute(base)}/embed/loader.js"></script>`,
    `<${tag}${attributes}></${tag}>`,
  ].join('\n');
}

/** Returns the address of the widget's iframe page, with the options as query parameters. */
export function frameUrl(base: string, options: WidgetOptions): string {
  const query = new URLSearchParams(widgetAttributes(options));
  return `${base}/embed/frame/${options.widget}?${query}`;
}

/** Builds an iframe element that shows the widget, for pages that cannot run scripts. */
export function frameSnippet(base: string, options: WidgetOptions): string {
  const info = WIDGETS[options.widget];
  return [
    `<iframe src="${escapeAttribute(frameUrl(base, options))}"`,
    ` title="${escapeAttribute(`${info.label} from Staffroom`)}"`,
    ` width="100%" height="${info.frameHeight}" style="border: 0" loading="lazy"></iframe>`,
  ].join('');
}
