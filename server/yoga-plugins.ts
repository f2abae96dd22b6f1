import type { AsyncLocalStorage } from 'node:async_hooks';
import {
  type DocumentNode,
  type ExecutionArgs,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  getOperationAST,
  isInterfaceType,
  isObjectType,
  Kind,
  type SelectionSetNode,
} from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { GraphQLContext } from '../schema/index.ts';
import { canWrite } from './auth/access.ts';
import { DomainError } from './errors.ts';
import type { Logger } from './log.ts';

export /** What one HTTP request or WebSocket operation carries through its asynchronous work. */
interface OperationScope {
  /** SQL statements run so far. */
  count: number;
  /** Logger with the request or socket ids. */
  log: Logger;
}

const LIMIT_ERROR = /^Syntax Error: .*limit of \d+ exceeded/i;

/**
 * Keeps the message of expected errors (domain errors, GraphQL validation, authorization) and
 * replaces every other one with a generic message, logging the original once.
 */
export function maskError(error: unknown, message: string, log: Logger): Error {
  const original =
    error && typeof error === 'object' && 'originalError' in error
      ? (error as { originalError?: unknown }).originalError
      : error;
  if (original instanceof DomainError) {
    return createGraphQLError(original.message, {
      extensions: {
        code: original.name
          .replace(/Error$/, '')
          .replace(/([a-z])([A-Z])/g, '$1_$2')
          .toUpperCase(),
      },
    });
  }
  // graphql-armor reports the depth, alias, token and cost limits as syntax errors without a
  // code. They get one here, so that clients can tell them from invalid documents.
  if (error instanceof GraphQLError && LIMIT_ERROR.test(error.message)) {
    return createGraphQLError(error.message.replace(/^Syntax Error: /, ''), {
      nodes: error.nodes,
      extensions: { code: 'QUERY_LIMIT_EXCEEDED' },
    });
  }
  if (
    original === undefined ||
    (original instanceof GraphQLError && original.name === 'GraphQLError')
  ) {
    return error as Error;
  }
  // GraphQL's own errors and Pothos' argument errors (an invalid global id or cursor, a negative
  // page size) describe the request, not the server, so the caller sees them.
  if (original instanceof GraphQLError) {
    return createGraphQLError(original.message.slice(0, 300), {
      extensions: { code: original.extensions.code ?? 'BAD_USER_INPUT' },
    });
  }
  if (
    original instanceof Error &&
    original.message === 'Not found, or you do not have access to it.'
  ) {
    return createGraphQLError(original.message, { extensions: { code: 'NOT_FOUND' } });
  }
  log.error({ err: original }, 'Unexpected error in a GraphQL operation');
  return createGraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}

/** Adds `extensions.sqlStatements` to each HTTP result when query statistics are enabled. */
export function statementCountPlugin(
  statements: AsyncLocalStorage<OperationScope>,
  enabled: boolean,
): Plugin {
  return {
    onExecute: () => ({
      onExecuteDone: ({ result, setResult }) => {
        const counter = statements.getStore();
        if (!enabled || !counter || Symbol.asyncIterator in result) {
          return;
        }
        setResult({
          ...result,
          extensions: { ...result.extensions, sqlStatements: counter.count },
        });
      },
    }),
  };
}

/**
 * Refuses mutations to credentials without the write scope (read-only API tokens), over HTTP and
 * WebSocket alike, before any resolver runs.
 */
export function writeScopePlugin(): Plugin<{ staffroom?: GraphQLContext }> {
  return {
    onExecute: ({ args, setResultAndStopExecution }) => {
      const operation = getOperationAST(args.document, args.operationName);
      // The viewer is read for mutations only: a subscription's shared payload must not depend
      // on who receives it (see server/shared-delivery.ts).
      if (
        operation?.operation === 'mutation' &&
        !canWrite((args.contextValue as unknown as GraphQLContext).viewer)
      ) {
        setResultAndStopExecution({
          errors: [
            createGraphQLError(
              'This API token is read-only; mutations need a token with the WRITE scope.',
              { extensions: { code: 'FORBIDDEN', http: { status: 403 } } },
            ),
          ],
        });
      }
    },
  };
}

/**
 * Prices a document with its variables, as the cost limit of graphql-armor does with literals.
 * Each object field costs 2 plus 1.5 times its children, and each scalar 1. A field that takes
 * `first` or `last` is multiplied by the page size it returns: the value given as a literal or a
 * variable, or the default page size, capped at the largest page. graphql-armor reads only
 * literals, so `first: $n` would otherwise count once.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
  pages: { defaultSize: number; maxSize: number },
): number {
  const operation = getOperationAST(document, operationName);
  if (!operation) {
    return 0;
  }
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition);
    }
  }
  const pageSize = (field: FieldNode, definition: GraphQLField<unknown, unknown>): number => {
    if (!definition.args.some((arg) => arg.name === 'first' || arg.name === 'last')) {
      return 1;
    }
    let size: number | null = null;
    for (const argument of field.arguments ?? []) {
      if (argument.name.value !== 'first' && argument.name.value !== 'last') {
        continue;
      }
      const value =
        argument.value.kind === Kind.VARIABLE
          ? variables?.[argument.value.name.value]
          : argument.value.kind === Kind.INT
            ? Number(argument.value.value)
            : null;
      if (typeof value === 'number') {
        size = Math.max(size ?? 0, value);
      }
    }
    return Math.min(Math.max(size ?? pages.defaultSize, 1), pages.maxSize);
  };
  const seen = new Set<string>();
  const price = (selections: SelectionSetNode, parent: GraphQLNamedType | undefined): number => {
    let total = 0;
    for (const selection of selections.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition
          ? schema.getType(selection.typeCondition.name.value)
          : parent;
        total += price(selection.selectionSet, type ?? parent);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        // A fragment spread inside itself is invalid and stopped by validation; count it once.
        if (fragment && !seen.has(fragment.name.value)) {
          seen.add(fragment.name.value);
          total += price(
            fragment.selectionSet,
            schema.getType(fragment.typeCondition.name.value) ?? parent,
          );
          seen.delete(fragment.name.value);
        }
        continue;
      }
      const definition =
        parent && (isObjectType(parent) || isInterfaceType(parent))
          ? parent.getFields()[selection.name.value]
          : undefined;
      if (!selection.selectionSet || !definition) {
        total += 1;
        continue;
      }
      const child = getNamedType(definition.type);
      total += (2 + 1.5 * price(selection.selectionSet, child)) * pageSize(selection, definition);
    }
    return total;
  };
  const root =
    operation.operation === 'mutation'
      ? schema.getMutationType()
      : operation.operation === 'subscription'
        ? schema.getSubscriptionType()
        : schema.getQueryType();
  return price(operation.selectionSet, root ?? undefined);
}

/** Refuses, before it runs, an operation whose cost with its variables is above `maxCost`. */
export function variableCostPlugin(
  maxCost: number,
  pages: { defaultSize: number; maxSize: number },
  onPriced: (cost: number, args: ExecutionArgs) => void = () => {},
): Plugin {
  const check = (args: ExecutionArgs, stop: (result: { errors: GraphQLError[] }) => void): void => {
    const cost = operationCost(
      args.schema,
      args.document,
      args.operationName,
      args.variableValues as Record<string, unknown> | undefined,
      pages,
    );
    onPriced(cost, args);
    if (cost > maxCost) {
      stop({
        errors: [
          createGraphQLError(
            `The operation costs ${Math.round(cost)} with its variables; at most ${maxCost} is allowed. Ask for smaller pages or fewer nested lists.`,
            { extensions: { code: 'COST_LIMIT_EXCEEDED', http: { status: 400 } } },
          ),
        ],
      });
    }
  };
  return {
    onExecute: ({ args, setResultAndStopExecution }) => check(args, setResultAndStopExecution),
    onSubscribe: ({ args, setResultAndStopExecution }) => check(args, setResultAndStopExecution),
  };
}

/** Measures how deep an operation's fields nest, with fragments counted where they are spread. */
export function operationDepth(document: DocumentNode, operationName?: string | null): number {
  const operation = getOperationAST(document, operationName);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition);
    }
  }
  const depth = (selections: SelectionSetNode, seen: Set<string>): number => {
    let deepest = 0;
    for (const selection of selections.selections) {
      if (selection.kind === Kind.FIELD) {
        deepest = Math.max(
          deepest,
          1 + (selection.selectionSet ? depth(selection.selectionSet, seen) : 0),
        );
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, depth(selection.selectionSet, seen));
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment && !seen.has(fragment.name.value)) {
          deepest = Math.max(
            deepest,
            depth(fragment.selectionSet, new Set([...seen, fragment.name.value])),
          );
        }
      }
    }
    return deepest;
  };
  return operation ? depth(operation.selectionSet, new Set()) : 0;
}
