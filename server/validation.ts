import { ValidationError, type ValidationIssue } from './errors.ts';

export interface TextRule {
  min?: number;
  max: number;
  /** Keep line breaks; titles and names collapse to one line. */
  multiline?: boolean;
}

/**
 * Collects validation issues for one input so that every bad field is reported at once.
 * `check()` throws a ValidationError when any issue was found.
 */
/** Half of a UTF-16 surrogate pair, which PostgreSQL text and JSON cannot store. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The bidirectional overrides, which display text in an order other than the one it is stored
 * in, as in "txt.exe" shown as "exe.txt". Embeddings and isolates, which apps add when mixing
 * Arabic or Hebrew with English, stay allowed.
 */
const BIDI_OVERRIDE = /[\u202d\u202e]/;
/** C0 and C1 control characters, except tab, line feed and carriage return. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them.
const CONTROL = /[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/** Non-empty text that shows nothing: spaces, zero-width and other format characters only. */
const INVISIBLE_ONLY = /^[\s\p{Cf}\p{Z}\u3164\u115f\u1160]+$/u;

export class InputValidator {
  readonly issues: ValidationIssue[] = [];

  text(path: string, value: string, rule: TextRule): string {
    const cleaned = rule.multiline ? value.replace(/\r\n?/g, '\n').trim() : value.trim();
    const length = [...cleaned].length;
    if (cleaned.includes('\u0000')) {
      this.add(path, 'must not contain a NUL character');
    } else if (BIDI_OVERRIDE.test(cleaned)) {
      this.add(
        path,
        'must not contain a left-to-right or right-to-left override character (U+202D or U+202E), which can disguise text; remove it and try again',
      );
    } else if (CONTROL.test(cleaned)) {
      this.add(path, 'must not contain control characters other than tabs and line breaks');
    } else if (LONE_SURROGATE.test(cleaned)) {
      this.add(path, 'must be valid Unicode text (it contains half of a surrogate pair)');
    } else if (!rule.multiline && /[\n\r]/.test(cleaned)) {
      this.add(path, 'must be a single line');
    } else if ((rule.min ?? 1) > 0 && INVISIBLE_ONLY.test(cleaned)) {
      this.add(path, 'must not be empty (it contains only invisible characters)');
    } else if (length < (rule.min ?? 1)) {
      this.add(
        path,
        rule.min && rule.min > 1 ? `must be at least ${rule.min} characters` : 'must not be empty',
      );
    } else if (length > rule.max) {
      this.add(path, `must be at most ${rule.max} characters (got ${length})`);
    }
    return cleaned;
  }

  optionalText(path: string, value: string | null | undefined, rule: TextRule) {
    if (value === null || value === undefined) {
      return undefined;
    }
    return this.text(path, value, rule);
  }

  add(path: string, message: string): void {
    this.issues.push({ path: path.split('.'), message });
  }

  check(): void {
    if (this.issues.length > 0) {
      throw new ValidationError(this.issues);
    }
  }
}

/** Validates that a URL is http(s) and returns it normalized. */
export function parseHttpUrl(validator: InputValidator, path: string, value: string): string {
  const trimmed = value.trim();
  try {
    const url = new URL(trimmed);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      validator.add(path, 'must be an http or https URL');
    }
    if (trimmed.length > 2000) {
      validator.add(path, 'must be at most 2000 characters');
    }
    return url.toString();
  } catch {
    validator.add(path, `"${trimmed.slice(0, 100)}" is not a valid URL`);
    return trimmed;
  }
}

/** Reports whether the name is an IANA time zone known to this runtime's ICU data. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return name.length <= 64 && !/^[+-]?\d/.test(name);
  } catch {
    return false;
  }
}

/** Returns the zone's name as the runtime's ICU data spells it, so "utc" is stored as "UTC". */
export function canonicalTimeZone(name: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
}

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Checks an email address and returns it trimmed and in lowercase. */
export function validateEmail(validator: InputValidator, value: string, path = 'email'): string {
  const email = validator.text(path, value, { max: 254 }).toLowerCase();
  if (email && !EMAIL_PATTERN.test(email)) {
    validator.add(path, `"${email.slice(0, 60)}" is not a valid email address`);
  }
  return email;
}
