import { A, useNavigate, useParams } from '@solidjs/router';
import { type JSX, Match, Show, Switch } from 'solid-js';
import { AUDIT_ENTRY_FIELDS, type AuditEntry, AuditLog } from '../components/audit-log.tsx';
import {
  type CommunitySettings,
  CommunitySettingsForm,
} from '../components/community-settings-form.tsx';
import { type InvitationRow, ManageInvitations } from '../components/manage-invitations.tsx';
import {
  type BannedRow,
  ManageBanned,
  ManageMembers,
  type MemberRow,
} from '../components/manage-members.tsx';
import { type JoinRequest, ManageRequests } from '../components/manage-requests.tsx';
import { ReviewQueue } from '../components/moderation/review-queue.tsx';
import { ErrorState, Loading, RefreshError } from '../components/status.tsx';
import { createGraphQLQuery, type QueryState } from '../lib/graphql.ts';
import { pluralize } from '../lib/plural.ts';
import { signInPath, viewer, viewerLoaded } from '../lib/session.ts';
import { createDocumentTitle } from '../lib/title.ts';

const USER_FIELDS = 'id displayName school { name }';
// The page reads its lists in three queries, because one query for all of them costs more than
// the server's query cost limit allows.
const MANAGE_COMMUNITY = `query ManageCommunity($slug: String!) { community(slug: $slug) {
  id slug name description focus visibility listed viewerCanModerate viewerMembership { role }
  openReportCount viewerCanReviewReports
  joinRequests(first: 50) { nodes { id joinedAt user { ${USER_FIELDS} } } }
  members(first: 100) { nodes { id role joinedAt mutedUntil user { ${USER_FIELDS} } } }
  bannedMembers(first: 50) { nodes { id user { id displayName } } } } }`;
const MANAGE_INVITATIONS = `query ManageInvitations($slug: String!) { community(slug: $slug) {
  id invitations(first: 50) {
    nodes { id email state createdAt expiresAt invitedBy { displayName } } } } }`;
const MANAGE_AUDIT_LOG = `query ManageAuditLog($slug: String!) { community(slug: $slug) {
  id auditLog(first: 50) { nodes { ${AUDIT_ENTRY_FIELDS} } } } }`;

interface ManageData {
  community:
    | (CommunitySettings & {
        slug: string;
        viewerCanModerate: boolean;
        viewerMembership: { role: string } | null;
        openReportCount: number | null;
        viewerCanReviewReports: boolean;
        // Each list is null for a viewer who may not see it, and the page then shows no section.
        joinRequests: { nodes: JoinRequest[] } | null;
        members: { nodes: MemberRow[] } | null;
        bannedMembers: { nodes: BannedRow[] } | null;
      })
    | null;
}

interface InvitationsData {
  community: { id: string; invitations: { nodes: InvitationRow[] } | null } | null;
}

interface AuditLogData {
  community: { id: string; auditLog: { nodes: AuditEntry[] } | null } | null;
}

/** Shows one section's list once loaded, with its own loading and error states. */
function SectionData<Data>(props: {
  query: QueryState<Data>;
  label: string;
  children: (data: Data) => JSX.Element;
}) {
  return (
    <Switch>
      <Match when={!props.query.data() && props.query.error()}>
        {(message) => <ErrorState message={message()} onRetry={props.query.refetch} />}
      </Match>
      <Match when={props.query.data()}>{(data) => props.children(data())}</Match>
      <Match when={true}>
        <Loading label={props.label} />
      </Match>
    </Switch>
  );
}

export default function CommunityManagePage() {
  const params = useParams();
  const navigate = useNavigate();
  const variables = () =>
    viewerLoaded() && { slug: params.slug ?? '', viewerId: viewer()?.id ?? null };
  const main = createGraphQLQuery<ManageData, { slug: string; viewerId: string | null }>(
    MANAGE_COMMUNITY,
    variables,
  );
  const invitations = createGraphQLQuery<
    InvitationsData,
    { slug: string; viewerId: string | null }
  >(MANAGE_INVITATIONS, variables);
  const auditLog = createGraphQLQuery<AuditLogData, { slug: string; viewerId: string | null }>(
    MANAGE_AUDIT_LOG,
    variables,
  );
  // Every change shows in the audit log, and decisions and invitations change the member list.
  const page = {
    ...main,
    refetch: () => {
      main.refetch();
      invitations.refetch();
      auditLog.refetch();
    },
  };
  const community = () => main.data()?.community;
  createDocumentTitle(() => (community() ? `Manage ${community()?.name}` : 'Manage community'));

  return (
    <Switch>
      <Match when={viewerLoaded() && !viewer()}>
        <section>
          <h1>Manage community</h1>
          <p>
            <A href={signInPath(`/c/${params.slug ?? ''}/manage`)}>Sign in</A> to manage a community
            you own or facilitate.
          </p>
        </section>
      </Match>
      <Match when={!page.data() && page.error()}>
        {(message) => <ErrorState message={message()} onRetry={page.refetch} />}
      </Match>
      <Match when={!page.data()}>
        <Loading label="Loading the community…" />
      </Match>
      <Match when={!community()?.viewerCanModerate && !community()?.viewerCanReviewReports}>
        <section>
          <h1>Manage community</h1>
          <p>Only the owners and facilitators of this community can manage it.</p>
          <p>
            <A href={community() ? `/c/${community()?.slug}` : '/'}>Back</A>
          </p>
        </section>
      </Match>
      <Match when={community()}>
        {(current) => {
          const isOwner = () => current().viewerMembership?.role === 'OWNER';
          const requestCount = () => current().joinRequests?.nodes.length ?? 0;
          return (
            <article class="manage">
              <RefreshError message={page.error()} onRetry={page.refetch} />
              <p class="breadcrumb">
                <A href={`/c/${current().slug}`}>{current().name}</A>
              </p>
              <h1>Manage {current().name}</h1>
              <nav aria-label="Sections" class="section-nav">
                <Show when={current().joinRequests}>
                  <a href="#requests-heading">Requests ({requestCount()})</a>
                </Show>
                <a href="#reports-heading">Reports ({current().openReportCount ?? 0})</a>
                <Show when={current().members}>
                  <a href="#members-heading">Members</a>
                </Show>
                <Show when={current().viewerCanModerate}>
                  <a href="#invitations-heading">Invitations</a>
                </Show>
                <Show when={isOwner()}>
                  <a href="#settings-heading">Settings</a>
                  <a href="#widgets-heading">Embed</a>
                </Show>
                <a href="#audit-heading">Audit log</a>
                <A href={`/c/${current().slug}/analytics`}>Analytics</A>
              </nav>

              <Show when={current().joinRequests}>
                {(requests) => (
                  <section aria-labelledby="requests-heading">
                    <h2 id="requests-heading" tabindex="-1">
                      Requests to join ({pluralize(requests().nodes.length, 'request')})
                    </h2>
                    <ManageRequests
                      communityId={current().id}
                      requests={requests().nodes}
                      onChanged={page.refetch}
                    />
                  </section>
                )}
              </Show>

              <section aria-labelledby="reports-heading">
                <h2 id="reports-heading" tabindex="-1">
                  Reports
                </h2>
                <ReviewQueue slug={current().slug} onChanged={page.refetch} />
              </section>

              <Show when={current().members}>
                {(members) => (
                  <section aria-labelledby="members-heading">
                    <h2 id="members-heading" tabindex="-1">
                      Members
                    </h2>
                    <Show when={!isOwner()}>
                      <p class="hint">Only owners change roles.</p>
                    </Show>
                    <ManageMembers
                      communityId={current().id}
                      members={members().nodes}
                      viewerId={viewer()?.id}
                      viewerIsOwner={isOwner()}
                      onChanged={page.refetch}
                    />
                    <h3>Banned</h3>
                    <ManageBanned
                      communityId={current().id}
                      banned={current().bannedMembers?.nodes ?? []}
                      onChanged={page.refetch}
                    />
                  </section>
                )}
              </Show>

              {/* Admins of the owning district review reports here without being moderators. */}
              <Show when={current().viewerCanModerate}>
                <section aria-labelledby="invitations-heading">
                  <h2 id="invitations-heading" tabindex="-1">
                    Invitations
                  </h2>
                  <SectionData query={invitations} label="Loading invitations…">
                    {(data) => (
                      <ManageInvitations
                        communityId={current().id}
                        invitations={data.community?.invitations?.nodes ?? []}
                        onChanged={page.refetch}
                      />
                    )}
                  </SectionData>
                </section>
              </Show>

              <Show when={isOwner()}>
                <section aria-labelledby="settings-heading">
                  <h2 id="settings-heading" tabindex="-1">
                    Settings
                  </h2>
                  <CommunitySettingsForm
                    community={current()}
                    onSaved={(slug) => {
                      if (slug !== current().slug) {
                        navigate(`/c/${slug}/manage`, { replace: true });
                      } else {
                        page.refetch();
                      }
                    }}
                  />
                </section>
                <section aria-labelledby="widgets-heading">
                  <h2 id="widgets-heading" tabindex="-1">
                    Embed widgets
                  </h2>
                  <p>
                    Show this community's feed, live sessions, chat or badges on a school or
                    district site with an embed key.{' '}
                    <A href={`/c/${current().slug}/embed`}>Manage embed keys and snippets</A>
                  </p>
                </section>
              </Show>

              <section aria-labelledby="audit-heading">
                <h2 id="audit-heading" tabindex="-1">
                  Audit log
                </h2>
                <p class="hint">The latest 50 actions, newest first.</p>
                <SectionData query={auditLog} label="Loading the audit log…">
                  {(data) => <AuditLog entries={data.community?.auditLog?.nodes ?? []} />}
                </SectionData>
              </section>
            </article>
          );
        }}
      </Match>
    </Switch>
  );
}
