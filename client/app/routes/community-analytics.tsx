import { useParams } from '@solidjs/router';
import { AnalyticsPage } from '../components/analytics/analytics-page.tsx';
import { ERROR_SELECTION, REPORT_SELECTION } from '../lib/analytics.ts';
import { createDocumentTitle } from '../lib/title.ts';

const COMMUNITY_ANALYTICS = `query CommunityAnalytics($slug: String!, $period: AnalyticsPeriodInput!) {
  community(slug: $slug) { id slug name
    analytics(period: $period) { __typename ${ERROR_SELECTION}
      ... on CommunityAnalytics { ${REPORT_SELECTION} } } } }`;

/** Analytics of a community, for its owners and facilitators and its district's admins. */
export default function CommunityAnalyticsPage() {
  const params = useParams();
  createDocumentTitle(() => 'Community analytics');
  return (
    <AnalyticsPage
      query={COMMUNITY_ANALYTICS}
      field="community"
      slug={params.slug ?? ''}
      heading={(name) => `${name} analytics`}
      backLink={(slug) => `/c/${slug}/manage`}
      signInPath={`/c/${params.slug ?? ''}/analytics`}
    />
  );
}
