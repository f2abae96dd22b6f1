import pino from 'pino';
import type { LogLevel } from './config.ts';

export type Logger = pino.Logger;

/** Creates the root logger. Known secret paths are redacted from every line. */
export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: { service: 'staffroom' },
    // A database error's message carries its SQL and parameters, which can be megabytes for a
    // large batch; a log line keeps the start of it.
    serializers: { err: serializeError },
    redact: {
      paths: [
        'password',
        '*.password',
        'token',
        '*.token',
        'cookie',
        '*.cookie',
        'authorization',
        '*.authorization',
        'headers.cookie',
        'headers.authorization',
        'variables.input.password',
        'variables.input.currentPassword',
      ],
      censor: '[redacted]',
    },
  });
}

const MAX_LOGGED_TEXT = 4000;

function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as Record<string, unknown>;
  for (const key of ['message', 'stack']) {
    const value = serialized[key];
    if (typeof value === 'string' && value.length > MAX_LOGGED_TEXT) {
      serialized[key] = `${value.slice(0, MAX_LOGGED_TEXT)}… (${value.length} characters)`;
    }
  }
  return serialized;
}
