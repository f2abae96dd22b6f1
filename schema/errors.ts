import {
  ConflictError,
  type DomainError,
  ForbiddenError,
  InvalidCredentialsError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
  ValidationError,
} from '../server/errors.ts';
import { builder } from './builder.ts';

export const ErrorInterface = builder.interfaceRef<DomainError>('Error').implement({
  description: 'An expected failure of a mutation, returned as data.',
  fields: (t) => ({
    message: t.exposeString('message', {
      description: 'A sentence saying what failed and, where it helps, what to do.',
    }),
  }),
});

const ValidationIssueRef = builder
  .objectRef<{ path: string[]; message: string }>('ValidationIssue')
  .implement({
    description: 'One invalid input field.',
    fields: (t) => ({
      path: t.exposeStringList('path', { description: 'Path of the field inside `input`.' }),
      message: t.exposeString('message', {
        description: 'What is wrong with the field, such as "must be after startsAt".',
      }),
    }),
  });

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'The input was invalid; nothing was changed.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ValidationError,
  fields: (t) => ({
    issues: t.field({
      type: [ValidationIssueRef],
      description: 'One entry per invalid input field.',
      resolve: (error) => error.issues,
    }),
  }),
});

builder.objectType(RateLimitedError, {
  name: 'RateLimitedError',
  description: 'Too many attempts from this account or address; nothing was done.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof RateLimitedError,
  fields: (t) => ({
    retryAfterSeconds: t.exposeInt('retryAfterSeconds', {
      description: 'Seconds until the next attempt is allowed.',
    }),
  }),
});

const simpleErrors = [
  [NotFoundError, 'NotFoundError', 'The object does not exist, or the viewer may not see it.'],
  [ForbiddenError, 'ForbiddenError', 'The viewer may see the object but not do this to it.'],
  [ConflictError, 'ConflictError', 'The change conflicts with the current state.'],
  [InvalidCredentialsError, 'InvalidCredentialsError', 'The email or password is incorrect.'],
  [UnauthenticatedError, 'UnauthenticatedError', 'The request needs a signed-in viewer.'],
] as const;

for (const [errorClass, name, description] of simpleErrors) {
  builder.objectType(errorClass, {
    name,
    description,
    interfaces: [ErrorInterface],
    isTypeOf: (value) => value instanceof errorClass,
    fields: () => ({}),
  });
}

/** Error types that every mutation on existing objects can return. */
export const COMMON_ERRORS = [
  ValidationError,
  NotFoundError,
  ForbiddenError,
  ConflictError,
  UnauthenticatedError,
];
