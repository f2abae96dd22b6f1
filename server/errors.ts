import { CommitOutcomeUnknownError, isConnectionFailure } from '../drizzle/db.ts';

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

const NOT_CARRIED_OUT =
  'The database is unavailable, so this request was not carried out; try again in a few seconds.';
const OUTCOME_UNKNOWN =
  'The database connection failed while saving, so this change may or may not have been saved; reload to check before trying again.';

/**
 * The database could not be reached, so the operation was not carried out, or, when
 * `outcomeUnknown` is set, its connection failed during COMMIT and the change may have been
 * saved. It is not a mutation result type: it reaches clients as a GraphQL error with
 * `extensions.code` UNAVAILABLE (HTTP 503 with Retry-After), and `extensions.outcome` UNKNOWN
 * in the second case, since any operation can meet it.
 */
export class UnavailableError extends Error {
  override name = 'UnavailableError';
  readonly code = 'UNAVAILABLE';
  readonly outcomeUnknown: boolean;

  constructor(message = NOT_CARRIED_OUT, options?: ErrorOptions & { outcomeUnknown?: boolean }) {
    super(message, options);
    this.outcomeUnknown = options?.outcomeUnknown ?? false;
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
      const outcomeUnknown = hasCause(current, CommitOutcomeUnknownError);
      return new UnavailableError(outcomeUnknown ? OUTCOME_UNKNOWN : NOT_CARRIED_OUT, {
        cause: current,
        outcomeUnknown,
      });
    }
    current = (current as { originalError?: unknown }).originalError;
  }
  return null;
}

function hasCause(error: unknown, type: abstract new (...args: never[]) => Error): boolean {
  let current = error;
  for (let depth = 0; current && depth < 8; depth += 1) {
    if (current instanceof type) {
      return true;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
