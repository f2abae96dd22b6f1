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
const OUTCOME_SAVED =
  'The change was saved, but the database became unavailable before the response was complete; reload to see it.';

/**
 * What happened to the change of a request that failed with UNAVAILABLE, when it may have been
 * saved: UNKNOWN when the connection failed during COMMIT, SAVED when the request had already
 * committed and failed while loading its result.
 */
export type UnavailableOutcome = 'UNKNOWN' | 'SAVED';

/**
 * The database could not be reached, so the operation was not carried out, unless `outcome`
 * states otherwise. It is not a mutation result type: it reaches clients as a GraphQL error with
 * `extensions.code` UNAVAILABLE (HTTP 503 with Retry-After) and `extensions.outcome` when set,
 * since any operation can meet it.
 */
export class UnavailableError extends Error {
  override name = 'UnavailableError';
  readonly code = 'UNAVAILABLE';
  readonly outcome: UnavailableOutcome | null;

  constructor(
    message = NOT_CARRIED_OUT,
    options?: ErrorOptions & { outcome?: UnavailableOutcome },
  ) {
    super(message, options);
    this.outcome = options?.outcome ?? null;
  }
}

/** Seconds a client is asked to wait, in Retry-After, before trying again after UNAVAILABLE. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * Returns an UnavailableError, with the original as its cause, when an error or one of its causes
 * (a GraphQL error's original error, drizzle's query error) is a failed database connection.
 * `committed` is true when the failed request had already committed a transaction.
 */
export function unavailableErrorFrom(error: unknown, committed = false): UnavailableError | null {
  let current = error;
  for (let depth = 0; current && depth < 4; depth += 1) {
    if (current instanceof UnavailableError) {
      return current;
    }
    if (isConnectionFailure(current)) {
      if (hasCause(current, CommitOutcomeUnknownError)) {
        return new UnavailableError(OUTCOME_UNKNOWN, { cause: current, outcome: 'UNKNOWN' });
      }
      return committed
        ? new UnavailableError(OUTCOME_SAVED, { cause: current, outcome: 'SAVED' })
        : new UnavailableError(NOT_CARRIED_OUT, { cause: current });
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
