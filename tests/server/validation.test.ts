/**
 * The shared text checks of InputValidator: invisible characters, bidirectional formatting
 * characters, tabs and line separators in single-line and multi-line fields.
 */
import { describe, expect, test } from 'vitest';
import { InputValidator, removeFormatCharacters, type TextRule } from '../../server/validation.ts';

const SINGLE_LINE: TextRule = { max: 120 };
const MULTI_LINE: TextRule = { max: 2000, multiline: true };

/** Checks one value and returns the messages of its issues. */
function problemsOf(value: string, rule: TextRule): string[] {
  const validator = new InputValidator();
  validator.text('name', value, rule);
  return validator.issues.map((issue) => issue.message);
}

const BIDI_CONTROLS: [string, string][] = [
  ['Arabic letter mark', '\u061c'],
  ['left-to-right mark', '\u200e'],
  ['right-to-left mark', '\u200f'],
  ['left-to-right embedding', '\u202a'],
  ['right-to-left embedding', '\u202b'],
  ['pop directional formatting', '\u202c'],
  ['left-to-right override', '\u202d'],
  ['right-to-left override', '\u202e'],
  ['left-to-right isolate', '\u2066'],
  ['right-to-left isolate', '\u2067'],
  ['first strong isolate', '\u2068'],
  ['pop directional isolate', '\u2069'],
];

const INVISIBLE: [string, string][] = [
  ['zero width space', '\u200b'],
  ['zero width non-joiner', '\u200c'],
  ['zero width joiner', '\u200d'],
  ['word joiner', '\u2060'],
  ['zero width no-break space', '\ufeff'],
  ['soft hyphen', '\u00ad'],
  ['Hangul filler', '\u3164'],
  ['tag', '\u{e0041}'],
];

describe('InputValidator.text in single-line fields', () => {
  test.each([...BIDI_CONTROLS, ...INVISIBLE])('rejects the %s character', (name, character) => {
    const code = `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

    const problems = problemsOf(`Design${character}Challenge Architect`, SINGLE_LINE);

    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`the ${name} character (${code})`);
    expect(problems[0]).toContain('remove it');
  });

  test('rejects an unclosed embedding', () => {
    const problems = problemsOf('Riverbend \u202bStaff', SINGLE_LINE);

    expect(problems[0]).toContain('right-to-left embedding character (U+202B)');
  });

  test.each([
    ['a tab', 'Design\tChallenge', 'tab character (U+0009)'],
    ['a line separator', 'Design\u2028Challenge', 'single line'],
    ['a paragraph separator', 'Design\u2029Challenge', 'paragraph separator character (U+2029)'],
    ['a line feed', 'Design\nChallenge', 'single line'],
  ])('rejects %s', (_name, value, message) => {
    expect(problemsOf(value, SINGLE_LINE)[0]).toContain(message);
  });

  test.each([
    ['an emoji ZWJ sequence', '\u{1f469}\u200d\u{1f3eb} Teachers'],
    [
      'a flag with tag characters',
      '\u{1f3f4}\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f} Scots',
    ],
    ['a Persian zero width non-joiner', 'می\u200cخواهم'],
    ['a Devanagari zero width joiner', 'क्\u200dष'],
    ['Arabic without formatting characters', 'مرحبا Design Challenge'],
    ['leading and trailing tabs', '\tDesign Challenge\t'],
  ])('accepts %s', (_name, value) => {
    expect(problemsOf(value, SINGLE_LINE)).toEqual([]);
  });

  test('still reports text of invisible characters only as empty', () => {
    expect(problemsOf('\u200b\u2060', SINGLE_LINE)[0]).toContain('only invisible characters');
  });
});

describe('InputValidator.text in multi-line fields', () => {
  test.each(INVISIBLE)('rejects the %s character', (name, character) => {
    const problems = problemsOf(`First line\nDesign${character}Challenge`, MULTI_LINE);

    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`the ${name} character`);
  });

  test.each([
    ['an override', 'harmless \u202etxt.exe', 'right-to-left override character (U+202E)'],
    ['an unclosed embedding', 'Shalom \u202bשלום', 'must close the right-to-left embedding'],
    ['an unclosed isolate', 'Unit \u2067مرحبا', 'pop directional isolate character (U+2069)'],
    [
      'an embedding closed in the next paragraph',
      'Unit \u202bשלום\n\u202c and more',
      'must close the right-to-left embedding',
    ],
    ['a pop with nothing open', 'closing \u202c early', 'closes no embedding'],
    ['a pop of the wrong kind', '\u2067مرحبا\u202c', 'closes no embedding'],
  ])('rejects %s', (_name, value, message) => {
    expect(problemsOf(value, MULTI_LINE)[0]).toContain(message);
  });

  test('accepts balanced embeddings, isolates, marks, tabs and line breaks', () => {
    const value = 'Unit \u2067مرحبا\u2069 and \u202bשלום\u202c\n\tnext \u200fline\r\nlast';

    expect(problemsOf(value, MULTI_LINE)).toEqual([]);
  });

  test('turns U+2028 and U+2029 into line feeds', () => {
    const validator = new InputValidator();

    const cleaned = validator.text('body', 'one\u2028two\u2029three', MULTI_LINE);

    expect(cleaned).toBe('one\ntwo\nthree');
    expect(validator.issues).toEqual([]);
  });
});

describe('removeFormatCharacters', () => {
  test('removes bidirectional and invisible characters', () => {
    expect(removeFormatCharacters('re\u200fport\u202e\u2066\u200b\u2028.txt')).toBe('report.txt');
  });

  test('keeps emoji sequences and joining-script joiners', () => {
    const value = '\u{1f469}\u200d\u{1f3eb} می\u200cخواهم.txt';

    expect(removeFormatCharacters(value)).toBe(value);
  });
});
