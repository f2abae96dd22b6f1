/**
 * Fields of a mutation's typed errors. The error types are spread inside Error, where GraphQL
 * validation accepts them even in a result union that cannot contain them.
 */
export const ERROR_SELECTION = `... on Error { message
  ... on RateLimitedError { retryAfterSeconds }
  ... on ValidationError { issues { path message } } }`;

/** Builds a mutation document for a `Mutation<Name>Success | Error` result union. */
export function mutationDocument(field: string, inputType: string, selection: string): string {
  const successType = `Mutation${field[0]?.toUpperCase()}${field.slice(1)}Success`;
  return `mutation ${field[0]?.toUpperCase()}${field.slice(1)}($input: ${inputType}!) {
    ${field}(input: $input) {
      __typename
      ${ERROR_SELECTION}
      ... on ${successType} { data { ${selection} } }
    }
  }`;
}

/**
 * Builds a mutation document like `mutationDocument` for a field whose arguments are not a single
 * `input`. `argumentTypes` maps each argument to its type, such as `{ districtId: 'ID!' }`, and
 * an empty `selection` suits a scalar result such as Int.
 */
export function mutationDocumentWith(
  field: string,
  argumentTypes: Record<string, string>,
  selection: string,
): string {
  const name = `${field[0]?.toUpperCase()}${field.slice(1)}`;
  const entries = Object.entries(argumentTypes);
  const declared = entries.map(([argument, type]) => `$${argument}: ${type}`).join(', ');
  const passed = entries.map(([argument]) => `${argument}: $${argument}`).join(', ');
  return `mutation ${name}${declared ? `(${declared})` : ''} {
    ${field}${passed ? `(${passed})` : ''} {
      __typename
      ${ERROR_SELECTION}
      ... on Mutation${name}Success { data ${selection ? `{ ${selection} }` : ''} }
    }
  }`;
}

export const VIEWER_QUERY = `query Viewer {
  viewer { id displayName email district { slug name viewerIsAdmin } }
  unreadNotificationCount }`;

export const FOCUS_LABELS: Record<string, string> = {
  STEM: 'STEM',
  LITERACY: 'Literacy',
  CRISIS_PREPAREDNESS: 'Crisis preparedness',
  LEADERSHIP: 'Leadership',
  OTHER: 'Other',
};

export const VISIBILITY_LABELS: Record<string, string> = {
  PUBLIC: 'Public',
  DISTRICT: 'District',
  PRIVATE: 'Private',
};

export const ROLE_LABELS: Record<string, string> = {
  OWNER: 'Owner',
  FACILITATOR: 'Facilitator',
  MEMBER: 'Member',
};

export const ISTE_STANDARDS = [
  'LEARNER',
  'LEADER',
  'CITIZEN',
  'COLLABORATOR',
  'DESIGNER',
  'FACILITATOR',
  'ANALYST',
] as const;
