/** The maximum seats of a live session, as the API's scheduleLiveSession checks it. */
export const MAX_CAPACITY = 10_000;

/** Converts a `datetime-local` value, read in the viewer's zone, to an ISO instant. */
export function toInstant(localValue: string): string | null {
  if (!localValue) {
    return null;
  }
  const date = new Date(localValue);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Converts an instant to a `datetime-local` value in the viewer's zone, such as 2099-03-03T16:00. */
export function toDateTimeLocal(instant: string): string {
  const date = new Date(instant);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/**
 * Reads a seats field: null when it is empty, the number when it is a whole number from
 * `lowest` to MAX_CAPACITY, and undefined when it is neither.
 */
export function parseCapacity(value: string, lowest: number): number | null | undefined {
  const trimmed = value.trim();
  if (trimmed === '') {
    return null;
  }
  const seats = Number(trimmed);
  return Number.isInteger(seats) && seats >= lowest && seats <= MAX_CAPACITY ? seats : undefined;
}

/** Describes the valid seats values, for a field that parseCapacity rejected. */
export function capacityMessage(lowest: number): string {
  return lowest === 0
    ? `Enter a whole number from 1 to ${MAX_CAPACITY.toLocaleString()}, or 0 or nothing for no limit.`
    : `Enter a whole number from 1 to ${MAX_CAPACITY.toLocaleString()}, or leave it empty for no limit.`;
}
