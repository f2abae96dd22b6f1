import { GraphQLError, Kind } from 'graphql';
import { builder } from './builder.ts';

export function parseInstant(value: unknown): Date {
  if (
    typeof value !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)
  ) {
    throw new GraphQLError(
      `DateTime must be an ISO 8601 instant with a zone, such as "2026-03-02T15:00:00Z"; got ${JSON.stringify(value)?.slice(0, 60)}.`,
    );
  }
  const date = new Date(value);
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  // Date rolls an impossible day over into the next month (February 30 becomes March 2).
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (Number.isNaN(date.getTime()) || month < 1 || month > 12 || day < 1 || day > daysInMonth) {
    throw new GraphQLError(`DateTime ${JSON.stringify(value)} is not a real date.`);
  }
  // Queries send instants as toISOString text, which PostgreSQL rejects for year 0000 and for the
  // signed six-digit years past 9999. An offset can move 0001 or 9999 across those limits in UTC.
  const utcYear = date.getUTCFullYear();
  if (utcYear < 1 || utcYear > 9999) {
    throw new GraphQLError(
      `DateTime ${JSON.stringify(value)} must fall within the years 0001 to 9999 in UTC.`,
    );
  }
  return date;
}

/**
 * Parses a timestamptz as PostgreSQL prints it, such as "2026-12-04 12:47:11.123456+00", which
 * `Date` does not accept as it is: the space and the hour-only offset need rewriting.
 */
export function parseDatabaseInstant(text: string): Date {
  const isoText = text.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00');
  return new Date(isoText);
}

builder.scalarType('DateTime', {
  description:
    'An instant in time as an ISO 8601 string in UTC, such as "2026-03-02T15:00:00.000Z".',
  serialize: (value) => {
    const date = value instanceof Date ? value : parseDatabaseInstant(String(value));
    if (Number.isNaN(date.getTime())) {
      throw new Error(`Cannot serialize ${JSON.stringify(value)} as a DateTime`);
    }
    return date.toISOString();
  },
  parseValue: parseInstant,
  parseLiteral: (node) => {
    if (node.kind !== Kind.STRING) {
      throw new GraphQLError('DateTime must be a string.');
    }
    return parseInstant(node.value);
  },
});
