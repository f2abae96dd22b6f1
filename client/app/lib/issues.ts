/** One problem of a ValidationError: the input field, as a path of names, and what is wrong. */
export interface Issue {
  path: string[];
  message: string;
}

/** Words for input fields whose last name alone is unclear, keyed by the whole path. */
const FIELD_WORDS: Record<string, string> = {
  'period.from': 'the first day',
  'period.to': 'the last day',
  'filter.from': 'the From date',
  'filter.to': 'the To date',
  muteMinutes: 'the mute length',
};

/** Turns an input path such as ['period', 'to'] or ['startsAt'] into words: "the last day". */
export function fieldWords(path: readonly string[]): string {
  const known = FIELD_WORDS[path.join('.')];
  if (known) {
    return known;
  }
  const last = path[path.length - 1] ?? 'value';
  return `the ${last.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}`;
}

/**
 * Rewrites the input names inside a server message, such as "must be after period.from" or
 * "must not be earlier than from", in the words of fieldWords, relative to the issue's own path.
 */
function messageWords(path: readonly string[], message: string): string {
  const parent = path.slice(0, -1);
  return message
    .replace(/\b[a-z]\w*(?:\.[a-z]\w*)+\b/gi, (name) => FIELD_WORDS[name] ?? name)
    .replace(
      /\b(earlier than|later than|after|before) ([a-z]+[A-Z]\w*|from|to)$/,
      (_m, word, name) => `${word} ${fieldWords([...parent, name])}`,
    );
}

/** Writes a validation issue as a sentence, such as "The last day must be after the first day." */
export function describeIssue(issue: Issue): string {
  const field = fieldWords(issue.path);
  const sentence = `${field} ${messageWords(issue.path, issue.message)}`;
  return `${sentence[0]?.toUpperCase()}${sentence.slice(1)}${/[.!?]$/.test(sentence) ? '' : '.'}`;
}

/**
 * Returns the text to show for a typed error: its issues in words when it has them, otherwise the
 * server's message, which names the fields by their input paths.
 */
export function describeIssues(
  message: string,
  issues: readonly Issue[] | null | undefined,
): string {
  return issues && issues.length > 0 ? issues.map(describeIssue).join(' ') : message;
}
