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

/**
 * Returns a child logger that is created on first use. A socket that logs nothing (most of them,
 * most of the time) then costs one small object instead of a pino child. A call at a level that
 * is off, or a question about the level, does not create it.
 */
export function lazyChild(parent: Logger, bindings: pino.Bindings): Logger {
  let child: Logger | null = null;
  return new Proxy(parent, {
    get(_parent, key) {
      if (!child) {
        if (key === 'level' || key === 'isLevelEnabled') {
          const value = Reflect.get(parent, key, parent);
          return typeof value === 'function' ? value.bind(parent) : value;
        }
        if (typeof key === 'string' && key in parent.levels.values && !parent.isLevelEnabled(key)) {
          return ignore;
        }
        child = parent.child(bindings);
      }
      const value = Reflect.get(child, key, child);
      return typeof value === 'function' ? value.bind(child) : value;
    },
  });
}

function ignore(): void {}
