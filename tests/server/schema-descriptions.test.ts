import { type GraphQLObjectType, isObjectType } from 'graphql';
import { describe, expect, test } from 'vitest';
import { undescribedParts } from '../../schema/describe.ts';
import { schema } from '../../schema/index.ts';

function objectType(name: string): GraphQLObjectType {
  const type = schema.getType(name);
  if (!isObjectType(type)) {
    throw new Error(`${name} is not an object type of the schema`);
  }
  return type;
}

describe('schema descriptions', () => {
  test('every part has a description', () => {
    expect(undescribedParts(schema)).toEqual([]);
  });

  test('connection types get generated descriptions', () => {
    const connection = objectType('CommunityThreadsConnection');
    const edge = objectType('CommunityThreadsConnectionEdge');
    const threads = objectType('Community').getFields().threads;

    expect(connection.description).toBe('A page of the community threads list.');
    expect(connection.getFields().pageInfo?.description).toBe(
      'Whether there are more pages, and the cursors to fetch them.',
    );
    expect(edge.description).toBe('An item of a community threads list, with its cursor.');
    expect(edge.getFields().cursor?.description).toBe(
      'Pass as `after` or `before` to page on from this item.',
    );
    expect(threads?.args.find((arg) => arg.name === 'first')?.description).toBe(
      'Items to return from the start, or after `after`: at most 100, 20 by default.',
    );
  });

  test('mutation result types get generated descriptions', () => {
    expect(objectType('MutationCreateThreadSuccess').description).toBe(
      'What `createThread` returns when it succeeds.',
    );
  });
});
