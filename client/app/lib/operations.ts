/** Builds a mutation document for a `Mutation<Name>Success | Error` result union. */
export function mutationDocument(field: string, inputType: string, selection: string): string {
  const successType = `Mutation${field[0]?.toUpperCase()}${field.slice(1)}Success`;
  return `mutation ${field[0]?.toUpperCase()}${field.slice(1)}($input: ${inputType}!) {
    ${field}(input: $input) {
      __typename
      ... on Error { message }
      ... on ValidationError { issues { path message } }
      ... on ${successType} { data { ${selection} } }
    }
  }`;
}

export const VIEWER_QUERY = `query Viewer { viewer { id displayName email } unreadNotificationCount }`;

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

export const ISTE_STANDARDS = [
  'LEARNER',
  'LEADER',
  'CITIZEN',
  'COLLABORATOR',
  'DESIGNER',
  'FACILITATOR',
  'ANALYST',
] as const;
