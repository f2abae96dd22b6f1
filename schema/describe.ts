import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isUnionType,
} from 'graphql';

type Describable = { description?: string | null | undefined };

const CONNECTION_ARGS: Record<string, string> = {
  first: 'Items to return from the start, or after `after`: at most 100, 20 by default.',
  after: 'A cursor from an earlier page: return the items after it.',
  last: 'Items to return from the end, or before `before`: at most 100.',
  before: 'A cursor from an earlier page: return the items before it.',
};

const CONNECTION_FIELDS: Record<string, string> = {
  edges: 'The items of this page with their cursors.',
  nodes: 'The items of this page.',
  pageInfo: 'Whether there are more pages, and the cursors to fetch them.',
  totalCount: 'How many items there are in all pages.',
};

const EDGE_FIELDS: Record<string, string> = {
  node: 'The item.',
  cursor: 'Pass as `after` or `before` to page on from this item.',
};

const PAGE_INFO_FIELDS: Record<string, string> = {
  hasNextPage: 'Whether more items follow this page.',
  hasPreviousPage: 'Whether items come before this page.',
  startCursor: 'The cursor of the first item of this page.',
  endCursor: 'The cursor of the last item of this page.',
};

function describe(target: Describable, text: string | undefined): void {
  if (!target.description && text) {
    target.description = text;
  }
}

/** Turns `createThread` into "create thread", for generated descriptions. */
function words(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

function lowerFirst(name: string): string {
  return `${name[0]?.toLowerCase()}${name.slice(1)}`;
}

function describeType(type: GraphQLNamedType): void {
  const name = type.name;
  const mutation = /^Mutation(\w+)(Success|Result)$/.exec(name);
  if (mutation?.[1]) {
    const field = lowerFirst(mutation[1]);
    describe(
      type,
      mutation[2] === 'Success'
        ? `What \`${field}\` returns when it succeeds.`
        : `What \`${field}\` returns: its data, or one of the typed errors it can give.`,
    );
  } else if (name.endsWith('ConnectionEdge') || name.endsWith('Edge')) {
    describe(
      type,
      `An item of a ${words(name.replace(/(Connection)?Edge$/, ''))} list, with its cursor.`,
    );
  } else if (name.endsWith('Connection')) {
    describe(type, `A page of the ${words(name.replace(/Connection$/, ''))} list.`);
  } else if (name === 'PageInfo') {
    describe(type, 'Where a page of a list stands: whether more pages exist, and their cursors.');
  }

  if (!(isObjectType(type) || isInterfaceType(type) || isInputObjectType(type))) {
    return;
  }
  const fields = Object.values(type.getFields()) as (
    | GraphQLField<unknown, unknown>
    | GraphQLInputField
  )[];
  for (const field of fields) {
    if (mutation?.[2] === 'Success' && field.name === 'data') {
      describe(field, 'The changed or created data.');
    } else if (name.endsWith('Edge')) {
      describe(field, EDGE_FIELDS[field.name]);
    } else if (name.endsWith('Connection')) {
      describe(field, CONNECTION_FIELDS[field.name]);
    } else if (name === 'PageInfo') {
      describe(field, PAGE_INFO_FIELDS[field.name]);
    }
    for (const arg of ('args' in field ? field.args : []) as GraphQLArgument[]) {
      describe(arg, CONNECTION_ARGS[arg.name]);
      if (arg.name === 'input') {
        describe(arg, `The input of \`${field.name}\`.`);
      }
    }
  }
}

/**
 * Describes what the schema builder generates: connection, edge and page types with their
 * fields and paging arguments, the result types of mutations, and `input` arguments. Hand-written
 * descriptions stay as they are.
 */
export function describeGeneratedParts(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!type.name.startsWith('__')) {
      describeType(type);
    }
  }
  return schema;
}

/** Lists the types, fields, arguments and enum values that have no description. */
export function undescribedParts(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (
      type.name.startsWith('__') ||
      ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)
    ) {
      continue;
    }
    if (!type.description) {
      missing.push(type.name);
    }
    if (isUnionType(type)) {
      continue;
    }
    if (isEnumType(type)) {
      for (const value of type.getValues()) {
        if (!value.description) {
          missing.push(`${type.name}.${value.name}`);
        }
      }
      continue;
    }
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      const fields = Object.values(type.getFields()) as (
        | GraphQLField<unknown, unknown>
        | GraphQLInputField
      )[];
      for (const field of fields) {
        if (!field.description) {
          missing.push(`${type.name}.${field.name}`);
        }
        for (const arg of ('args' in field ? field.args : []) as GraphQLArgument[]) {
          if (!arg.description) {
            missing.push(`${type.name}.${field.name}(${arg.name})`);
          }
        }
      }
    }
  }
  return missing;
}
