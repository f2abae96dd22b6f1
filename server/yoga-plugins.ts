import type { AsyncLocalStorage } from 'node:async_hooks';
import { GraphQLError, getOperationAST } from 'graphql';
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
      const viewer = (args.contextValue as unknown as GraphQLContext).viewer;
      if (operation?.operation === 'mutation' && !canWrite(viewer)) {
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
