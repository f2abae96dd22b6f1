import pino from 'pino';
import type { LogLevel } from './config.ts';

export type Logger = pino.Logger;

/** Creates the root logger. Known secret paths are redacted from every line. */
export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: { service: 'staffroom' },
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
