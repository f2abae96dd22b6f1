import { useParams } from '@solidjs/router';
import { For } from 'solid-js';
import { AnalyticsPage } from '../components/analytics/analytics-page.tsx';
import {
  ACTIVITY_FIGURES,
  ACTIVITY_SELECTION,
  type ActivityFigures,
  type AnalyticsReport,
  type AnalyticsValue,
  ERROR_SELECTION,
  formatFigure,
  REPORT_SELECTION,
} from '../lib/analytics.ts';
import { createDocumentTitle } from '../lib/title.ts';

const DISTRICT_ANALYTICS = `query DistrictAnalytics($slug: String!, $period: AnalyticsPeriodInput!) {
  district(slug: $slug) { id slug name
    analytics(period: $period) { __typename ${ERROR_SELECTION}
      ... on DistrictAnalytics { ${REPORT_SELECTION} staff { value suppressed lessThan }
        bySchool { schoolName staff { value suppressed lessThan }
          figures { ${ACTIVITY_SELECTION} } } } } } }`;

interface DistrictReport extends AnalyticsReport {
  staff: AnalyticsValue;
  bySchool: { schoolName: string; staff: AnalyticsValue; figures: ActivityFigures }[];
}

/** Shows the district's figures school by school. */
function SchoolTable(props: { report: DistrictReport }) {
  return (
    <section aria-labelledby="analytics-schools-heading">
      <h2 id="analytics-schools-heading">By school</h2>
      <p class="hint">
        Staff now: {formatFigure(props.report.staff)}. When one school is withheld, another is too,
        so that the total does not reveal it.
      </p>
      <div class="table-scroll">
        <table class="school-table">
          <caption class="visually-hidden">District figures by school</caption>
          <thead>
            <tr>
              <th scope="col">School</th>
              <th scope="col">Staff</th>
              <For each={ACTIVITY_FIGURES}>{([, label]) => <th scope="col">{label}</th>}</For>
            </tr>
          </thead>
          <tbody>
            <For each={props.report.bySchool}>
              {(row) => (
                <tr>
                  <th scope="row">{row.schoolName}</th>
                  <td>{formatFigure(row.staff)}</td>
                  <For each={ACTIVITY_FIGURES}>
                    {([name]) => <td>{formatFigure(row.figures[name], name)}</td>}
                  </For>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** Analytics of a district's own staff, for its admins. */
export default function DistrictAnalyticsPage() {
  const params = useParams();
  createDocumentTitle(() => 'District analytics');
  return (
    <AnalyticsPage<DistrictReport>
      query={DISTRICT_ANALYTICS}
      field="district"
      slug={params.slug ?? ''}
      heading={(name) => `${name} staff analytics`}
      backLink={(slug) => `/districts/${slug}/admin`}
      signInPath={`/districts/${params.slug ?? ''}/analytics`}
    >
      {(report) => <SchoolTable report={report} />}
    </AnalyticsPage>
  );
}
