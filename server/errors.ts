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
