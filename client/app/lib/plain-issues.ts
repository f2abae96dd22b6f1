/** API messages that read better rewritten whole, for the live session schedule and edit forms. */
const REWRITES: [RegExp, string][] = [
  [/^must be after startsAt$/, 'Choose an end after the start.'],
  [/^must not be in the past$/, 'Choose a start that has not passed yet.'],
  [/at most 12 hours$/, 'A live session lasts at most 12 hours: choose an earlier end.'],
  [
    /is not a valid URL$|^must be an http or https URL$/,
    'Enter a whole link that starts with https://.',
  ],
  [/is not an IANA time zone/, 'Choose a time zone from the list, such as America/Chicago.'],
];

/**
 * Rewrites an API validation message in plain words, such as "must be after startsAt" as "Choose
 * an end after the start." Other API messages, which start in lower case, get the field's label
 * in front and its API name replaced by labels. Messages the client wrote itself pass unchanged.
 * `labels` maps API field names to the labels the form shows.
 */
export function plainIssue(
  field: string,
  message: string | undefined,
  labels: Record<string, string>,
): string | undefined {
  if (!message) {
    return message;
  }
  const rewrite = REWRITES.find(([pattern]) => pattern.test(message));
  if (rewrite) {
    return rewrite[1];
  }
  if (!/^[a-z]/.test(message)) {
    return message;
  }
  const named = message.replace(/\b[a-z]+[A-Z]\w*\b/g, (name) =>
    labels[name] ? `“${labels[name]}”` : name,
  );
  return `${labels[field] ?? 'This field'} ${named}${named.endsWith('.') ? '' : '.'}`;
}
