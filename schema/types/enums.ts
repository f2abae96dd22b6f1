import { builder } from '../builder.ts';

/**
 * Makes a GraphQL enum from the lowercase values stored in the database: `crisis_preparedness`
 * is exposed as `CRISIS_PREPAREDNESS` and maps back to the stored value.
 */
export function enumFromValues<const T extends readonly string[]>(
  name: string,
  values: T,
  description?: string,
) {
  return builder.enumType(name, {
    description,
    values: Object.fromEntries(values.map((value) => [value.toUpperCase(), { value }])) as {
      [K in T[number] as Uppercase<K>]: { value: K };
    },
  });
}
