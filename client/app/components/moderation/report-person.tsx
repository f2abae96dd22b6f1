import { Show } from 'solid-js';
import { createGraphQLQuery } from '../../lib/graphql.ts';
import { viewer } from '../../lib/session.ts';
import { ReportButton } from './report-dialog.tsx';

const MY_COMMUNITIES = `query ReportCommunities { myCommunities(first: 100) { nodes { id name } } }`;

interface MyCommunitiesData {
  myCommunities: { nodes: { id: string; name: string }[] };
}

/**
 * Renders "Report" for a person's profile. A person is reported in a community, chosen among
 * the viewer's own. The server rejects a community the person does not belong to.
 */
export function ReportPersonButton(props: { userId: string; displayName: string }) {
  const communities = createGraphQLQuery<MyCommunitiesData, Record<string, never>>(
    MY_COMMUNITIES,
    () => (viewer() && viewer()?.id !== props.userId ? {} : false),
  );
  return (
    <Show when={(communities.data()?.myCommunities.nodes.length ?? 0) > 0}>
      <ReportButton
        subjectId={props.userId}
        subjectLabel={props.displayName}
        communities={communities.data()?.myCommunities.nodes}
      />
    </Show>
  );
}
