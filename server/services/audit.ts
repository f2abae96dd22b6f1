import type { Executor } from '../../drizzle/db.ts';
import { auditLog } from '../../drizzle/tables/index.ts';

export type AuditAction =
  | 'community.role_changed'
  | 'community.member_removed'
  | 'community.member_banned'
  | 'community.member_unbanned'
  | 'community.request_approved'
  | 'community.request_declined'
  | 'community.invitation_sent'
  | 'community.invitation_revoked'
  | 'community.invitation_accepted'
  | 'community.settings_changed'
  | 'community.badge_revoked'
  | 'community.badge_rule_created'
  | 'community.badge_rule_deleted'
  | 'community.evidence_reviewed'
  | 'community.report_resolved'
  | 'community.post_removed'
  | 'community.post_restored'
  | 'community.thread_removed'
  | 'community.thread_restored'
  | 'community.member_warned'
  | 'community.member_muted'
  | 'live_session.attendance_adjusted'
  | 'live_session.attendance_closed'
  | 'live_session.message_removed'
  | 'live_session.participant_muted'
  | 'live_session.participant_unmuted'
  | 'platform.admin_granted'
  | 'platform.admin_revoked'
  | 'platform.credential_key_rotated'
  | 'district.created'
  | 'district.admin_added'
  | 'district.admin_removed'
  | 'district.school_added'
  | 'district.school_renamed'
  | 'district.school_removed'
  | 'district.domain_added'
  | 'district.domain_verified'
  | 'district.domain_removed'
  | 'district.staff_removed'
  | 'district.sso_configured'
  | 'district.sso_removed'
  | 'district.framework_added'
  | 'account.created'
  | 'account.email_verified'
  | 'account.verification_sent'
  | 'account.password_reset_requested'
  | 'account.password_reset'
  | 'account.password_changed'
  | 'account.signed_out_everywhere'
  | 'account.sign_in_revoked'
  | 'account.api_token_created'
  | 'account.api_token_revoked'
  | 'account.profile_updated'
  | 'account.exported'
  | 'account.deleted'
  | 'embed_key.created'
  | 'embed_key.changed'
  | 'embed_key.revoked';

export interface AuditEntry {
  actorId: number | null;
  action: AuditAction;
  communityId?: number | null;
  districtId?: number | null;
  subjectUserId?: number | null;
  details?: Record<string, unknown>;
}

/** Records an admin or facilitator action in the same transaction as the change itself. */
export async function recordAudit(tx: Executor, entry: AuditEntry): Promise<void> {
  await tx.insert(auditLog).values({
    actorId: entry.actorId,
    action: entry.action,
    communityId: entry.communityId ?? null,
    districtId: entry.districtId ?? null,
    subjectUserId: entry.subjectUserId ?? null,
    details: entry.details ?? {},
  });
}
