import { isIP } from 'node:net';
import { isNonPublicAddress } from './auth/public-address.ts';
import { ValidationError, type ValidationIssue } from './errors.ts';

export interface TextRule {
  min?: number;
  max: number;
  /** Keep line breaks and tabs; titles and names must be one line. */
  multiline?: boolean;
}

/** Half of a UTF-16 surrogate pair, which PostgreSQL text and JSON cannot store. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** C0 and C1 control characters, except tab, line feed and carriage return. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them.
const CONTROL = /[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/** Non-empty text that shows nothing: spaces, zero-width and other format characters only. */
const INVISIBLE_ONLY = /^[\s\p{Cf}\p{Z}\u3164\u115f\u1160]+$/u;
/** Line breaks, which single-line fields reject: line feed, carriage return, U+2028 and U+2029. */
const LINE_BREAK = /[\n\r\u2028\u2029]/;

/** Unicode names, in lower case, of the characters that text fields reject by name. */
const CHARACTER_NAMES: Record<number, string> = {
  9: 'tab',
  173: 'soft hyphen',
  847: 'combining grapheme joiner',
  1564: 'Arabic letter mark',
  4447: 'Hangul choseong filler',
  4448: 'Hangul jungseong filler',
  6158: 'Mongolian vowel separator',
  8203: 'zero width space',
  8204: 'zero width non-joiner',
  8205: 'zero width joiner',
  8206: 'left-to-right mark',
  8207: 'right-to-left mark',
  8232: 'line separator',
  8233: 'paragraph separator',
  8234: 'left-to-right embedding',
  8235: 'right-to-left embedding',
  8236: 'pop directional formatting',
  8237: 'left-to-right override',
  8238: 'right-to-left override',
  8288: 'word joiner',
  8289: 'function application',
  8290: 'invisible times',
  8291: 'invisible separator',
  8292: 'invisible plus',
  8294: 'left-to-right isolate',
  8295: 'right-to-left isolate',
  8296: 'first strong isolate',
  8297: 'pop directional isolate',
  8298: 'inhibit symmetric swapping',
  8299: 'activate symmetric swapping',
  8300: 'inhibit Arabic form shaping',
  8301: 'activate Arabic form shaping',
  8302: 'national digit shapes',
  8303: 'nominal digit shapes',
  12644: 'Hangul filler',
  65279: 'zero width no-break space',
  65440: 'halfwidth Hangul filler',
};

/**
 * The bidirectional overrides, which display text in an order other than the one it is stored
 * in, as in "txt.exe" shown as "exe.txt".
 */
const BIDI_OVERRIDE = /[\u202d\u202e]/;
/**
 * Every bidirectional formatting character: the marks (U+061C, U+200E, U+200F), embeddings and
 * overrides with their pop (U+202A to U+202E), and isolates with their pop (U+2066 to U+2069).
 */
const BIDI_CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const BIDI_CONTROLS = new RegExp(BIDI_CONTROL.source, 'g');
/** Embeddings and isolates, each with the character that closes it. */
const BIDI_CLOSER_OF: Record<string, string> = {
  '\u202a': '\u202c',
  '\u202b': '\u202c',
  '\u2066': '\u2069',
  '\u2067': '\u2069',
  '\u2068': '\u2069',
};

/** A letter or mark of a script whose spelling uses the zero width joiner and non-joiner. */
const JOINING_SCRIPT_LETTER = String.raw`[[\p{L}\p{M}]&&[\p{scx=Arabic}\p{scx=Syriac}\p{scx=Nko}\p{scx=Mongolian}\p{scx=Devanagari}\p{scx=Bengali}\p{scx=Gurmukhi}\p{scx=Gujarati}\p{scx=Oriya}\p{scx=Tamil}\p{scx=Telugu}\p{scx=Kannada}\p{scx=Malayalam}\p{scx=Sinhala}]]`;
/**
 * Invisible characters that can make two different texts look the same, as "Design\u200bChallenge"
 * and "DesignChallenge". Group 1 matches a whole emoji sequence (the RGI set of Unicode TS #51),
 * which keeps its zero width joiners and tag characters, as in the woman teacher emoji (U+1F469
 * U+200D U+1F3EB). A zero width joiner or
 * non-joiner between two letters of Arabic or an Indic script, where spelling needs it, matches
 * without a group. Group 2 is an invisible character anywhere else.
 */
const INVISIBLE_CHARACTER = new RegExp(
  String.raw`(\p{RGI_Emoji})|(?<=${JOINING_SCRIPT_LETTER})[\u200c\u200d](?=${JOINING_SCRIPT_LETTER})|([\u00ad\u034f\u115f\u1160\u180e\u200b-\u200d\u2060-\u2064\u206a-\u206f\u3164\ufeff\uffa0\u{e0000}-\u{e007f}])`,
  'gv',
);

/** Describes a character for a message, such as "the zero width space character (U+200B)". */
function describeCharacter(character: string): string {
  const codePoint = character.codePointAt(0) ?? 0;
  const code = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  const name =
    CHARACTER_NAMES[codePoint] ?? (codePoint >= 0xe0000 && codePoint <= 0xe007f ? 'tag' : null);
  return name ? `the ${name} character (${code})` : `the character ${code}`;
}

/** Returns the first invisible character outside emoji sequences and joining scripts, if any. */
function findInvisibleCharacter(text: string): string | null {
  for (const match of text.matchAll(INVISIBLE_CHARACTER)) {
    if (match[2] !== undefined) {
      return match[2];
    }
  }
  return null;
}

/**
 * Checks that every embedding and isolate is closed in its own paragraph and every closing
 * character closes one, so that no change of direction reaches text shown after this field, such
 * as the rest of a notification. Returns the problem, or null when they balance.
 */
function findUnbalancedBidi(text: string): string | null {
  const open: string[] = [];
  for (const character of text) {
    const closer = BIDI_CLOSER_OF[character];
    if (closer !== undefined) {
      open.push(character);
    } else if (character === '\u202c' || character === '\u2069') {
      const opener = open.pop();
      if (opener === undefined || BIDI_CLOSER_OF[opener] !== character) {
        return `must not contain ${describeCharacter(character)} where it closes no ${character === '\u202c' ? 'embedding' : 'isolate'}; remove it and try again`;
      }
    } else if (character === '\n' && open.length > 0) {
      break;
    }
  }
  const unclosed = open.pop();
  if (unclosed === undefined) {
    return null;
  }
  const closer = describeCharacter(BIDI_CLOSER_OF[unclosed] ?? '');
  return `must close ${describeCharacter(unclosed)} with ${closer} in the same paragraph, or remove it, because otherwise it changes the direction of the text that follows`;
}

/** Returns the first problem with NUL, control and line break characters or broken Unicode. */
function findCharacterProblem(text: string, rule: TextRule): string | null {
  const lineBreak = LINE_BREAK.exec(text)?.[0];
  if (text.includes('\u0000')) {
    return 'must not contain a NUL character';
  }
  if (!rule.multiline && lineBreak !== undefined) {
    return lineBreak === '\n' || lineBreak === '\r'
      ? 'must be a single line'
      : `must be a single line (it contains ${describeCharacter(lineBreak)})`;
  }
  if (!rule.multiline && text.includes('\t')) {
    return `must not contain ${describeCharacter('\t')}; use a space instead`;
  }
  if (CONTROL.test(text)) {
    return rule.multiline
      ? 'must not contain control characters other than tabs and line breaks'
      : 'must not contain control characters';
  }
  if (LONE_SURROGATE.test(text)) {
    return 'must be valid Unicode text (it contains half of a surrogate pair)';
  }
  return null;
}

/**
 * Returns the first bidirectional formatting or invisible character that the field rejects. Every
 * field rejects the overrides and invisible characters (see INVISIBLE_CHARACTER for the
 * exceptions). A single-line field rejects every other bidirectional formatting character too. A
 * multi-line field allows marks, and embeddings and isolates closed in the same paragraph, which
 * apps insert when Arabic or Hebrew is mixed with English.
 */
function findFormatCharacterProblem(text: string, rule: TextRule): string | null {
  const override = BIDI_OVERRIDE.exec(text)?.[0];
  if (override !== undefined) {
    return `must not contain ${describeCharacter(override)}, which displays text in an order other than the one it is stored in; remove it and try again`;
  }
  if (rule.multiline) {
    const unbalanced = findUnbalancedBidi(text);
    if (unbalanced !== null) {
      return unbalanced;
    }
  } else {
    const bidiControl = BIDI_CONTROL.exec(text)?.[0];
    if (bidiControl !== undefined) {
      return `must not contain ${describeCharacter(bidiControl)}, which changes the direction of the text around it; remove it and try again`;
    }
  }

  const invisible = findInvisibleCharacter(text);
  if (invisible !== null) {
    return `must not contain ${describeCharacter(invisible)}, which is invisible and can make different texts look the same; remove it and try again`;
  }
  return null;
}

/** Returns the first problem of a text for a field with `rule`, or null. */
function findTextProblem(text: string, rule: TextRule): string | null {
  const min = rule.min ?? 1;
  const characterProblem = findCharacterProblem(text, rule);
  if (characterProblem !== null) {
    return characterProblem;
  }
  if (min > 0 && INVISIBLE_ONLY.test(text)) {
    return 'must not be empty (it contains only invisible characters)';
  }
  const formatProblem = findFormatCharacterProblem(text, rule);
  if (formatProblem !== null) {
    return formatProblem;
  }

  const length = [...text].length;
  if (length < min) {
    return min > 1 ? `must be at least ${min} characters` : 'must not be empty';
  }
  if (length > rule.max) {
    return `must be at most ${rule.max} characters (got ${length})`;
  }
  return null;
}

/**
 * Removes the characters that text fields reject for being invisible or changing the direction
 * of text (every bidirectional formatting character, U+2028 and U+2029 included), keeping emoji
 * sequences and joiners in joining scripts as findTextProblem does.
 */
export function removeFormatCharacters(text: string): string {
  return text
    .replace(BIDI_CONTROLS, '')
    .replace(/[\u2028\u2029]/g, '')
    .replace(INVISIBLE_CHARACTER, (match, _emoji, invisible: string | undefined) =>
      invisible === undefined ? match : '',
    );
}

/**
 * Collects validation issues for one input so that every bad field is reported at once.
 * `check()` throws a ValidationError when any issue was found.
 */
export class InputValidator {
  readonly issues: ValidationIssue[] = [];

  /**
   * Checks a text field and returns it trimmed. A multi-line text has its line breaks
   * (CR LF, CR, U+2028, U+2029) turned into line feeds.
   */
  text(path: string, value: string, rule: TextRule): string {
    const cleaned = rule.multiline
      ? value.replace(/\r\n?|[\u2028\u2029]/g, '\n').trim()
      : value.trim();
    const problem = findTextProblem(cleaned, rule);
    if (problem !== null) {
      this.add(path, problem);
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

/**
 * Parses an http(s) URL as parseHttpUrl does, and also rejects what could mislead the person who
 * opens it. A user name or password before the host is rejected, because
 * https://trusted.example.org@evil.example/ leads to evil.example. So is a host that is localhost
 * or a loopback, private or link-local IP literal, which points at the reader's own network.
 */
export function parsePublicHttpUrl(validator: InputValidator, path: string, value: string): string {
  const before = validator.issues.length;
  const normalized = parseHttpUrl(validator, path, value);
  if (validator.issues.length > before) {
    return normalized;
  }
  const url = new URL(normalized);
  const host = url.hostname.replace(/\.$/, '');
  const address = host.replace(/^\[(.*)\]$/, '$1');
  if (url.username !== '' || url.password !== '') {
    validator.add(
      path,
      `must not contain a user name or password before the host (the part before "@"), which hides that the link leads to ${url.host}`,
    );
  } else if (host === 'localhost' || host.endsWith('.localhost')) {
    validator.add(path, `must not point at ${url.host}, which is the reader's own computer`);
  } else if (
    // NOTE: host names are not resolved, so a name whose DNS record points at a private address
    // still passes.
    isIP(address) !== 0 &&
    isNonPublicAddress(address)
  ) {
    validator.add(
      path,
      `must not point at ${url.host}, a loopback, private or link-local address that others cannot reach; link to a public address`,
    );
  }
  return normalized;
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
