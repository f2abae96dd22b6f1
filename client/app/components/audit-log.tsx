import { For, Show } from 'solid-js';
import { formatLocal, localizeInstants } from '../lib/time.ts';
import { Empty } from './status.tsx';

/** One recorded admin or facilitator action, as the audit log fields of the API return it. */
export interface AuditEntry {
  id: string;
  action: string;
  createdAt: string;
  /** A JSON object, such as `{"from":"MEMBER","to":"FACILITATOR"}`. */
  details: string;
  actor: { displayName: string } | null;
  subjectUser: { displayName: string } | null;
}

/** The fields of an audit log connection that `AuditLog` shows. */
export const AUDIT_ENTRY_FIELDS =
  'id action createdAt details actor { displayName } subjectUser { displayName }';

const ACTION_LABELS: Record<string, string> = {
  'community.request_approved': 'Approved a request to join',
  'community.request_declined': 'Declined a request to join',
  'community.role_changed': 'Changed a role',
  'community.member_removed': 'Removed a member',
  'community.member_banned': 'Banned a member',
  'community.member_unbanned': 'Lifted a ban',
  'community.invitation_sent': 'Sent an invitation',
  'community.invitation_revoked': 'Revoked an invitation',
  'community.invitation_accepted': 'Accepted an invitation',
  'community.settings_changed': 'Changed the settings',
  'community.badge_revoked': 'Revoked a badge award',
  'community.badge_rule_created': 'Added a badge rule',
  'community.badge_rule_deleted': 'Removed a badge rule',
  'community.evidence_reviewed': 'Reviewed evidence',
  'community.report_resolved': 'Resolved a report',
  'community.post_removed': 'Removed a reply',
  'community.post_restored': 'Restored a reply',
  'community.thread_removed': 'Removed a thread',
  'community.thread_restored': 'Restored a thread',
  'community.member_warned': 'Warned a member',
  'community.member_muted': 'Muted a member',
  'live_session.attendance_adjusted': 'Adjusted attendance',
  'live_session.attendance_closed': 'Closed an attendance report',
  'live_session.message_removed': 'Removed a chat message',
  'live_session.participant_muted': 'Muted a participant',
  'live_session.participant_unmuted': 'Unmuted a participant',
  'district.created': 'Created the district',
  'district.school_added': 'Added a school',
  'district.school_renamed': 'Renamed a school',
  'district.school_removed': 'Removed a school',
  'district.domain_added': 'Claimed a domain',
  'district.domain_verified': 'Verified a domain',
  'district.domain_removed': 'Withdrew a domain',
  'district.admin_added': 'Added an admin',
  'district.admin_removed': 'Removed an admin',
  'district.staff_removed': 'Removed a staff member',
  'district.sso_configured': 'Set up single sign-on',
  'district.sso_removed': 'Removed single sign-on',
  'district.framework_added': 'Added a framework',
};

/** Returns a readable label for an audit action, or the action code itself when it is new. */
export function describeAuditAction(action: string): string {
  return ACTION_LABELS[action] ?? action;
}

/** Turns `previousRole` into "previous role". */
function humanizeKey(key: string): string {
  return key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

function formatDetailValue(value: unknown): string {
  if (value === null || value === undefined || value === '') {
    return 'none';
  }
  if (typeof value === 'object') {
    return JSON.stringify(value);
  }
  return localizeInstants(String(value));
}

/** Parses an entry's details into label and value pairs, keeping text that is not an object whole. */
export function parseAuditDetails(details: string): [string, string][] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(details);
  } catch {
    return details ? [['details', details]] : [];
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return [['details', formatDetailValue(parsed)]];
  }
  return Object.entries(parsed).map(([key, value]) => [humanizeKey(key), formatDetailValue(value)]);
}

/** Lists audit entries, newest first as the API returns them. */
export function AuditLog(props: { entries: AuditEntry[] }) {
  return (
    <Show when={props.entries.length > 0} fallback={<Empty>No actions are recorded yet.</Empty>}>
      <ol class="rows audit-log" data-testid="audit-log">
        <For each={props.entries}>
          {(entry) => (
            <li>
              <p class="audit-summary">
                <strong>{describeAuditAction(entry.action)}</strong>
                <Show when={entry.subjectUser}>{(subject) => <> · {subject().displayName}</>}</Show>
              </p>
              <p class="meta">
                by {entry.actor?.displayName ?? 'the system or a deleted account'} ·{' '}
                <time datetime={entry.createdAt}>{formatLocal(entry.createdAt)}</time> ·{' '}
                <code>{entry.action}</code>
              </p>
              <Show when={parseAuditDetails(entry.details).length > 0}>
                <dl class="audit-details">
                  <For each={parseAuditDetails(entry.details)}>
                    {([label, value]) => (
                      <>
                        <dt>{label}</dt>
                        <dd>{value}</dd>
                      </>
                    )}
                  </For>
                </dl>
              </Show>
            </li>
          )}
        </For>
      </ol>
    </Show>
  );
}
