const pluralRules = new Intl.PluralRules('en-US');

/** Formats a count with its noun, e.g. "1 reply" or "3 replies". */
export function pluralize(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${pluralRules.select(count) === 'one' ? singular : plural}`;
}
