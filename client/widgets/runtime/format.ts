/**
 * Returns the locale for dates and numbers: the widget's `locale` attribute, else the host
 * page's `<html lang>`, else the browser's language. A tag that Intl does not accept is skipped.
 */
export function resolveLocale(attribute: string | undefined): string | undefined {
  const candidates = [attribute, document.documentElement.lang, navigator.language];
  for (const candidate of candidates) {
    if (!candidate) {
      continue;
    }
    try {
      if (Intl.DateTimeFormat.supportedLocalesOf(candidate).length > 0) {
        return candidate;
      }
    } catch {
      // A malformed tag throws a RangeError; try the next one.
    }
  }
  return undefined;
}

/** Formats an instant as a date and time in the viewer's time zone, such as "Mar 3, 3:00 PM". */
export function formatDateTime(
  instant: string,
  locale: string | undefined,
  options: Intl.DateTimeFormatOptions = {},
): string {
  const date = new Date(instant);
  return new Intl.DateTimeFormat(locale, {
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    year: date.getFullYear() === new Date().getFullYear() ? undefined : 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    ...options,
  }).format(date);
}

/** Formats the date of an instant, such as "Mar 3, 2026". */
export function formatDate(instant: string, locale: string | undefined): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(new Date(instant));
}

/**
 * Formats an instant relative to now, such as "5 minutes ago" or "yesterday"; a week or more
 * away shows the date instead.
 */
export function formatRelative(instant: string, locale: string | undefined, now = Date.now()) {
  const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const minutes = (Date.parse(instant) - now) / 60_000;
  if (Math.abs(minutes) < 1) {
    return relative.format(0, 'second');
  }
  if (Math.abs(minutes) < 60) {
    return relative.format(Math.round(minutes), 'minute');
  }
  const hours = minutes / 60;
  if (Math.abs(hours) < 24) {
    return relative.format(Math.round(hours), 'hour');
  }
  const days = hours / 24;
  if (Math.abs(days) < 7) {
    return relative.format(Math.round(days), 'day');
  }
  return formatDate(instant, locale);
}

/**
 * Returns the text of sanitized server HTML, whitespace collapsed and cut at a word boundary to
 * about `maxLength` characters. DOMParser builds an inert document: its scripts do not run and
 * its images do not load, and only textContent leaves it.
 */
export function excerptFromHtml(html: string, maxLength: number): string {
  const text = new DOMParser().parseFromString(html, 'text/html').body.textContent ?? '';
  return truncate(text.replace(/\s+/g, ' ').trim(), maxLength);
}

/** Cuts text to at most `maxLength` characters, at a space when one is near, adding "…". */
export function truncate(text: string, maxLength: number): string {
  if (text.length <= maxLength) {
    return text;
  }
  const cut = text.slice(0, maxLength - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > maxLength * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** Formats a count with its noun in English, the number in the widget's locale: "1 reply". */
export function countOf(
  count: number,
  locale: string | undefined,
  singular: string,
  plural = `${singular}s`,
): string {
  return `${new Intl.NumberFormat(locale).format(count)} ${count === 1 ? singular : plural}`;
}

/** Parses a whole-number attribute, clamped to [min, max], or returns `fallback` when absent. */
export function parseItems(value: string | undefined, fallback: number, min: number, max: number) {
  const parsed = Number.parseInt(value ?? '', 10);
  if (!Number.isFinite(parsed)) {
    return fallback;
  }
  return Math.min(max, Math.max(min, parsed));
}
