/** Formats an instant in the viewer's own time zone, e.g. "Tue, Mar 3, 3:00 PM". */
export function formatLocal(instant: string): string {
  const date = new Date(instant);
  return new Intl.DateTimeFormat(undefined, {
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    // The year shows only when it is not the current one.
    year: date.getFullYear() === new Date().getFullYear() ? undefined : 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  }).format(date);
}

/** Formats the time of an instant in another zone, e.g. "2:00 PM CST". */
export function formatInZone(instant: string, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat(undefined, {
      hour: 'numeric',
      minute: '2-digit',
      timeZone,
      timeZoneName: 'short',
    }).format(new Date(instant));
  } catch {
    return timeZone;
  }
}

export function viewerTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/**
 * Describes a live session's span in the viewer's local time, with the session's own zone beside
 * it: "Tue, Mar 3, 3:00 PM – 4:00 PM your time (2:00 PM CST in America/Chicago)".
 */
export function describeSchedule(startsAt: string, endsAt: string, timeZone: string): string {
  const end = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' }).format(
    new Date(endsAt),
  );
  const local = `${formatLocal(startsAt)} – ${end}`;
  if (timeZone === viewerTimeZone()) {
    return `${local} (${timeZone})`;
  }
  return `${local} your time (${formatInZone(startsAt, timeZone)} in ${timeZone})`;
}

export function formatRelative(instant: string): string {
  const seconds = Math.round((new Date(instant).getTime() - Date.now()) / 1000);
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  const steps: [number, Intl.RelativeTimeFormatUnit][] = [
    [60, 'second'],
    [60, 'minute'],
    [24, 'hour'],
    [30, 'day'],
    [12, 'month'],
  ];
  let value = seconds;
  for (const [size, unit] of steps) {
    if (Math.abs(value) < size) {
      return format.format(value, unit);
    }
    value = Math.round(value / size);
  }
  return format.format(value, 'year');
}

/** An ISO 8601 UTC instant, or the server's "2026-12-05 14:00 UTC" form of one. */
const UTC_INSTANT =
  /\b(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)Z| (\d{2}:\d{2}) UTC)/g;

/**
 * Rewrites the UTC instants in a server message, such as the end of a mute, in the viewer's local
 * time with formatLocal, so that every screen shows them in one format.
 */
export function localizeInstants(text: string): string {
  return text.replace(UTC_INSTANT, (match, day: string, isoTime?: string, plainTime?: string) => {
    const date = new Date(`${day}T${isoTime ?? plainTime}Z`);
    return Number.isNaN(date.getTime()) ? match : formatLocal(date.toISOString());
  });
}
