import { A, useParams } from '@solidjs/router';
import { For, Match, Show, Switch } from 'solid-js';
import { AUDIT_ENTRY_FIELDS, type AuditEntry, AuditLog } from '../components/audit-log.tsx';
import { NewBadgeForm } from '../components/community-forms.tsx';
import {
  DistrictAdmins,
  type DistrictPerson,
  DistrictStaff,
} from '../components/district-people.tsx';
import {
  DistrictDomains,
  DistrictSchools,
  type DomainRow,
  type SchoolRow,
} from '../components/district-places.tsx';
import { DistrictSsoForm, type SsoSettings } from '../components/district-sso-form.tsx';
import { Empty, ErrorState, Loading, RefreshError } from '../components/status.tsx';
import { createGraphQLQuery } from '../lib/graphql.ts';
import { signInPath, viewer, viewerLoaded } from '../lib/session.ts';
import { createDocumentTitle } from '../lib/title.ts';

const PERSON_FIELDS = 'id displayName email school { name }';
const DISTRICT_ADMIN = `query DistrictAdmin($slug: String!) { district(slug: $slug) {
  id slug name viewerIsAdmin
  schools { id name }
  domains { id domain verified verifiedAt createdAt }
  admins { ${PERSON_FIELDS} }
  staff(first: 100) { nodes { ${PERSON_FIELDS} } }
  sso { issuer clientId enabled updatedAt }
  badges(first: 100) { nodes { id name kind holderCount } }
  auditLog(first: 50) { nodes { ${AUDIT_ENTRY_FIELDS} } } } }`;

const PLATFORM_ADMIN_CHECK = `query PlatformAdminCheck { viewer { id isPlatformAdmin } }`;

interface DistrictAdminData {
  district: {
    id: string;
    slug: string;
    name: string;
    viewerIsAdmin: boolean;
    schools: SchoolRow[];
    // The fields below are null unless the viewer administers the district.
    domains: DomainRow[] | null;
    admins: DistrictPerson[] | null;
    staff: { nodes: DistrictPerson[] } | null;
    sso: SsoSettings | null;
    badges: { nodes: DistrictBadge[] } | null;
    auditLog: { nodes: AuditEntry[] } | null;
  } | null;
}

interface DistrictBadge {
  id: string;
  name: string;
  kind: 'PARTICIPATION' | 'MICROCREDENTIAL';
  holderCount: number;
}

export default function DistrictAdminPage() {
  const params = useParams();
  const page = createGraphQLQuery<DistrictAdminData, { slug: string; viewerId: string }>(
    DISTRICT_ADMIN,
    () => {
      const current = viewer();
      return current ? { slug: params.slug ?? '', viewerId: current.id } : false;
    },
  );
  const platformAdmin = createGraphQLQuery<
    { viewer: { id: string; isPlatformAdmin: boolean | null } | null },
    { viewerId: string }
  >(PLATFORM_ADMIN_CHECK, () => {
    const current = viewer();
    return current ? { viewerId: current.id } : false;
  });
  const isPlatformAdmin = () => platformAdmin.data()?.viewer?.isPlatformAdmin === true;
  const district = () => page.data()?.district;
  createDocumentTitle(() => (district() ? `${district()?.name} admin` : 'District admin'));

  return (
    <Switch>
      <Match when={viewerLoaded() && !viewer()}>
        <section>
          <h1>District admin</h1>
          <p>
            <A href={signInPath(`/districts/${params.slug ?? ''}/admin`)}>Sign in</A> to administer
            your district.
          </p>
        </section>
      </Match>
      <Match when={!page.data() && page.error()}>
        {(message) => <ErrorState message={message()} onRetry={page.refetch} />}
      </Match>
      <Match when={!page.data()}>
        <Loading label="Loading the district…" />
      </Match>
      <Match when={!district()}>
        <section>
          <h1>District not found</h1>
          <p>No district has the address {params.slug}.</p>
        </section>
      </Match>
      <Match when={!district()?.viewerIsAdmin}>
        <section>
          <h1>{district()?.name}</h1>
          <p>Only the district's admins can manage it.</p>
        </section>
      </Match>
      <Match when={district()}>
        {(current) => (
          <article class="district-admin">
            <RefreshError message={page.error()} onRetry={page.refetch} />
            <h1>{current().name} admin</h1>
            <nav aria-label="Sections" class="section-nav">
              <a href="#schools-heading">Schools</a>
              <a href="#domains-heading">Domains</a>
              <a href="#admins-heading">Admins</a>
              <a href="#staff-heading">Staff</a>
              <a href="#district-badges-heading">Badges</a>
              <a href="#sso-heading">Single sign-on</a>
              <a href="#district-widgets-heading">Embed widgets</a>
              <A href={`/districts/${current().slug}/analytics`}>Staff analytics</A>
              <a href="#district-audit-heading">Audit log</a>
            </nav>

            <section aria-labelledby="schools-heading">
              <h2 id="schools-heading" tabindex="-1">
                Schools
              </h2>
              <DistrictSchools
                districtId={current().id}
                schools={current().schools}
                onChanged={page.refetch}
              />
            </section>

            <section aria-labelledby="domains-heading">
              <h2 id="domains-heading" tabindex="-1">
                Email domains
              </h2>
              <DistrictDomains
                districtId={current().id}
                domains={current().domains ?? []}
                viewerIsPlatformAdmin={isPlatformAdmin()}
                onChanged={page.refetch}
              />
            </section>

            <section aria-labelledby="admins-heading">
              <h2 id="admins-heading" tabindex="-1">
                Admins
              </h2>
              <DistrictAdmins
                districtId={current().id}
                admins={current().admins ?? []}
                viewerId={viewer()?.id}
                onChanged={page.refetch}
              />
            </section>

            <section aria-labelledby="staff-heading">
              <h2 id="staff-heading" tabindex="-1">
                Staff
              </h2>
              <DistrictStaff
                districtId={current().id}
                staff={current().staff?.nodes ?? []}
                onChanged={page.refetch}
              />
            </section>

            <section aria-labelledby="district-badges-heading">
              <h2 id="district-badges-heading" tabindex="-1">
                Badges
              </h2>
              <p class="hint">
                District badges and microcredentials are awarded to the district's staff.
              </p>
              <Show
                when={(current().badges?.nodes.length ?? 0) > 0}
                fallback={<Empty>The district has no badges yet.</Empty>}
              >
                <ul class="rows" data-testid="district-badges">
                  <For each={current().badges?.nodes ?? []}>
                    {(badge) => (
                      <li>
                        <A href={`/b/${encodeURIComponent(badge.id)}`}>{badge.name}</A>
                        <span class="meta">
                          {' '}
                          · {badge.kind === 'MICROCREDENTIAL' ? 'Microcredential' : 'Participation'}{' '}
                          · {badge.holderCount} {badge.holderCount === 1 ? 'holder' : 'holders'}
                        </span>
                      </li>
                    )}
                  </For>
                </ul>
              </Show>
              <NewBadgeForm districtId={current().id} onCreated={page.refetch} />
            </section>

            <section aria-labelledby="sso-heading">
              <h2 id="sso-heading" tabindex="-1">
                Single sign-on
              </h2>
              <DistrictSsoForm
                districtId={current().id}
                sso={current().sso}
                onChanged={page.refetch}
              />
            </section>

            <section aria-labelledby="district-widgets-heading">
              <h2 id="district-widgets-heading" tabindex="-1">
                Embed widgets
              </h2>
              <p>
                Show the district's communities on a district or school site with an embed key.{' '}
                <A href={`/districts/${current().slug}/embed`}>Manage embed keys and snippets</A>
              </p>
            </section>

            <section aria-labelledby="district-audit-heading">
              <h2 id="district-audit-heading" tabindex="-1">
                Audit log
              </h2>
              <p class="hint">The latest 50 actions in the district and its communities.</p>
              <Show when={current().auditLog}>
                {(auditLog) => <AuditLog entries={auditLog().nodes} />}
              </Show>
            </section>
          </article>
        )}
      </Match>
    </Switch>
  );
}
