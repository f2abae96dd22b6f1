import { isConnectionFailure } from '../drizzle/db.ts';

/** Expected failures of a mutation. The schema exposes each class as a GraphQL error type. */
export class DomainError extends Error {
  override name = 'DomainError';
}

export interface ValidationIssue {
  path: string[];
  message: string;
}

export class ValidationError extends DomainError {
  override name = 'ValidationError';
  readonly issues: ValidationIssue[];

  constructor(issues: ValidationIssue[]) {
    super(issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
    this.issues = issues;
  }

  static of(path: string, message: string): ValidationError {
    return new ValidationError([{ path: path.split('.'), message }]);
  }
}

export class NotFoundError extends DomainError {
  override name = 'NotFoundError';
}

export class ForbiddenError extends DomainError {
  override name = 'ForbiddenError';
}

export class ConflictError extends DomainError {
  override name = 'ConflictError';
}

export class InvalidCredentialsError extends DomainError {
  override name = 'InvalidCredentialsError';

  constructor() {
    super('The email or password is incorrect.');
  }
}

export class UnauthenticatedError extends DomainError {
  override name = 'UnauthenticatedError';

  constructor(message = 'Sign in to do this.') {
    super(message);
  }
}

export class RateLimitedError extends DomainError {
  override name = 'RateLimitedError';

  constructor(
    readonly retryAfterSeconds: number,
    message = `Too many attempts; try again in ${describeWait(retryAfterSeconds)}.`,
  ) {
    super(message);
  }
}

/** Describes a wait for a message: "30 seconds", "about 5 minutes" or "about 24 hours". */
export function describeWait(seconds: number): string {
  if (seconds < 60) {
    return `${seconds} ${seconds === 1 ? 'second' : 'seconds'}`;
  }
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) {
    return `about ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
  }
  const hours = Math.round(seconds / 3600);
  return `about ${hours} ${hours === 1 ? 'hour' : 'hours'}`;
}

/**
 * The database could not be reached, so the operation was not carried out. It is not a mutation
 * result type: it reaches clients as a GraphQL error with `extensions.code` UNAVAILABLE (HTTP
 * 503 with Retry-After), like a masked error, since any operation can meet it.
 */
export class UnavailableError extends Error {
  override name = 'UnavailableError';
  readonly code = 'UNAVAILABLE';

  constructor(
    message = 'The database is unavailable, so this request was not carried out; try again in a few seconds.',
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Seconds a client is asked to wait, in Retry-After, before trying again after UNAVAILABLE. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * Returns an UnavailableError, with the original as its cause, when an error or one of its causes
 * (a GraphQL error's original error, drizzle's query error) is a failed database connection.
 */
export function unavailableErrorFrom(error: unknown): UnavailableError | null {
  let current = error;
  for (let depth = 0; current && depth < 4; depth += 1) {
    if (current instanceof UnavailableError) {
      return current;
    }
    if (isConnectionFailure(current)) {
      return new UnavailableError(undefined, { cause: current });
    }
    current = (current as { originalError?: unknown }).originalError;
  }
  return null;
}
