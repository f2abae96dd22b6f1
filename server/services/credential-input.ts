/**
 * Checks on a credential given to POST /credentials/verify that run before any JSON-LD
 * processing: its size as a tree, and that it is written in the plain JSON form this server
 * issues, so that the fields the verifier reads as JSON mean what the signed RDF means.
 */

/** Maximum nesting depth of arrays and objects. A credential this server issues nests 5 deep. */
export const MAX_CREDENTIAL_DEPTH = 32;
/**
 * Maximum number of entries in one array or keys in one object. A credential this server issues
 * has one alignment per aligned standard, so a badge aligned to every standard of several
 * frameworks of up to 100 standards each stays under it.
 */
export const MAX_CREDENTIAL_ENTRIES = 500;
/**
 * Maximum number of values (objects, arrays, strings, numbers, booleans and nulls) in the whole
 * document. A credential with MAX_CREDENTIAL_ENTRIES alignments has about 4,600.
 */
export const MAX_CREDENTIAL_VALUES = 5000;

/**
 * Fields whose value must be one date-time string: the validity period of VC 2.0, its VC 1.1
 * names, the Open Badges award date, and the dates of a proof.
 */
const DATE_FIELDS = [
  'validFrom',
  'validUntil',
  'issuanceDate',
  'expirationDate',
  'awardedDate',
  'created',
  'expires',
];

/**
 * Walks a parsed JSON value without recursion and returns a sentence saying which limit it
 * exceeds, or null when it is within MAX_CREDENTIAL_DEPTH, MAX_CREDENTIAL_ENTRIES and
 * MAX_CREDENTIAL_VALUES. It stops at the first value past a limit, so a deep or wide document
 * costs no more than one at the limits.
 */
export function credentialLimitExceeded(value: unknown): string | null {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  let values = 0;
  for (let item = pending.pop(); item; item = pending.pop()) {
    values += 1;
    if (values > MAX_CREDENTIAL_VALUES) {
      return `The credential has more than ${MAX_CREDENTIAL_VALUES} values, the maximum this site checks.`;
    }
    if (typeof item.value !== 'object' || item.value === null) {
      continue;
    }
    if (item.depth >= MAX_CREDENTIAL_DEPTH) {
      return `The credential is nested more than ${MAX_CREDENTIAL_DEPTH} levels deep, the maximum this site checks.`;
    }
    const children = Array.isArray(item.value) ? item.value : Object.values(item.value);
    if (children.length > MAX_CREDENTIAL_ENTRIES) {
      return `The credential has a list or object with more than ${MAX_CREDENTIAL_ENTRIES} entries, the maximum this site checks.`;
    }
    for (const child of children) {
      pending.push({ value: child, depth: item.depth + 1 });
    }
  }
  return null;
}

/**
 * Returns a sentence for each way the credential departs from the plain JSON form this server
 * issues, or an empty list. JSON-LD lets the same signed data be written in other forms: a date
 * as an array or an `{"@value": …}` object, a property under its full IRI or a `prefix:name`, or
 * a term defined by a context embedded in the document. The verifier reads dates, status and id
 * as plain JSON fields, so each of these forms is rejected rather than read as absent.
 * Call it only on a value that credentialLimitExceeded accepted.
 */
export function credentialFormProblems(credential: Record<string, unknown>): string[] {
  const problems = new Set<string>();
  const context = credential['@context'];
  if (!Array.isArray(context) || !context.every((entry) => typeof entry === 'string')) {
    problems.add('Its @context must be a list of context addresses.');
  }
  const pending: unknown[] = [credential];
  for (let value = pending.pop(); value !== undefined; value = pending.pop()) {
    if (typeof value !== 'object' || value === null) {
      continue;
    }
    if (Array.isArray(value)) {
      pending.push(...value);
      continue;
    }
    for (const [key, child] of Object.entries(value)) {
      if (key !== '@context' && (key.startsWith('@') || key.includes(':'))) {
        problems.add(
          `It names the property "${key.slice(0, 100)}" by a JSON-LD keyword or an IRI; use the plain term of the Open Badges context.`,
        );
      }
      if (DATE_FIELDS.includes(key) && typeof child !== 'string') {
        problems.add(`Its ${key} must be one date-time string, not a list or an object.`);
      }
      if (key !== '@context') {
        pending.push(child);
      }
    }
  }
  return [...problems];
}
