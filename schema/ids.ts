import { decodeGlobalID } from '@pothos/plugin-relay';
import { ValidationError } from '../server/errors.ts';

/**
 * Decodes a Relay global id of the expected type to its row id, or throws a ValidationError
 * naming the input field, so that a malformed or foreign id is a typed error.
 */
export function parseGlobalId(value: string, typename: string, path: string): number {
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeGlobalID(value);
  } catch {
    throw ValidationError.of(path, `"${value.slice(0, 80)}" is not a valid ${typename} id`);
  }
  const id = Number(decoded.id);
  // Only plain decimal digits: Number() would also read "+1", "0x1", "1e0" and " 1" as 1.
  if (decoded.typename !== typename || !/^[1-9]\d{0,9}$/.test(decoded.id) || id > 2_147_483_647) {
    throw ValidationError.of(path, `"${value.slice(0, 80)}" is not a valid ${typename} id`);
  }
  return id;
}

/** Like parseGlobalId, but for query arguments: a malformed id finds nothing. */
export function tryParseGlobalId(value: string, typename: string): number | null {
  try {
    return parseGlobalId(value, typename, 'id');
  } catch {
    return null;
  }
}

export function parseEventCursor(value: string | null | undefined): number | null {
  if (value === null || value === undefined || value === '') {
    return null;
  }
  if (!/^\d{1,15}$/.test(value)) {
    throw ValidationError.of(
      'after',
      `"${value.slice(0, 40)}" is not an event id; pass the eventId of the last event you received`,
    );
  }
  return Number(value);
}

/**
 * Parses a subscription's `after` and checks that it names an event that exists: a larger id
 * would silently hold back every event until the log reached it.
 */
export async function parseExistingEventCursor(
  value: string | null | undefined,
  latestEventId: () => Promise<number>,
): Promise<number | null> {
  const after = parseEventCursor(value);
  if (after !== null && after > 0) {
    const latest = await latestEventId();
    if (after > latest) {
      throw ValidationError.of(
        'after',
        `event ${after} does not exist yet (the latest is ${latest}); pass the eventId of the last event you received`,
      );
    }
  }
  return after;
}
