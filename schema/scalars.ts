import { GraphQLError, Kind } from 'graphql';
import { builder } from './builder.ts';

function parseInstant(value: unknown): Date {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    throw new GraphQLError(
      `DateTime must be an ISO 8601 instant with a zone, such as "2026-03-02T15:00:00Z"; got ${JSON.stringify(value)?.slice(0, 60)}.`,
    );
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new GraphQLError(`DateTime ${JSON.stringify(value)} is not a real date.`);
  }
  return date;
}

builder.scalarType('DateTime', {
  description: 'An instant in time as an ISO 8601 string in UTC, such as "2026-03-02T15:00:00.000Z".',
  serialize: (value) => {
    const date = value instanceof Date ? value : new Date(String(value).replace(' ', 'T'));
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
