import { encodeGlobalID } from '@pothos/plugin-relay';
import { asc, eq, sql } from 'drizzle-orm';
import { type Executor, rowsOf } from '../../drizzle/db.ts';
import { badgeRuleBadges, badgeRules, badges } from '../../drizzle/tables/index.ts';
import type { EvidenceInput } from '../credentials/open-badge.ts';

/** The origin of an award, from which its credential's evidence is built. */
export interface AwardOrigin {
  source: 'manual' | 'rule' | 'review';
  recipientId: number;
  awardedAt: string;
  badgeId: number;
  ruleId: number | null;
  submissionId: number | null;
  badgeName: string;
  /** The community the badge belongs to, or for a district's badge the district. */
  issuer: { kind: 'community' | 'district'; name: string };
}

/**
 * Returns the address of an evidence submission's page in the web client, /reviews/<id>, where
 * the recipient and the badge's reviewers read it.
 */
export function evidenceSubmissionUrl(publicUrl: string, submissionId: number): string {
  return `${publicUrl}/reviews/${encodeURIComponent(encodeGlobalID('EvidenceSubmission', submissionId))}`;
}

/** Maximum number of links to counted threads or live sessions in a rule award's evidence. */
export const MAX_ACTIVITY_LINKS = 10;

/**
 * Builds the evidence entries of an award's credential. An award from approved evidence links to
 * the submission. An award from a rule names the rule in a narrative and links to the latest
 * threads or live sessions it counted. An award given by hand has no evidence: the awarder's note
 * is private to the recipient and the badge's managers, and a credential can be public.
 */
export async function awardEvidence(
  db: Executor,
  publicUrl: string,
  award: AwardOrigin,
): Promise<EvidenceInput[]> {
  if (award.source === 'review') {
    if (award.submissionId === null) {
      return [];
    }
    return [
      {
        id: evidenceSubmissionUrl(publicUrl, award.submissionId),
        name: `Evidence for ${award.badgeName}`,
        description: 'Evidence the recipient submitted, approved by a reviewer of the badge.',
      },
    ];
  }
  if (award.source === 'rule') {
    return [
      { name: 'Badge rule', narrative: await ruleNarrative(db, award) },
      ...(await activityLinks(db, publicUrl, award)),
    ];
  }
  return [];
}

/**
 * Returns links to the activity a rule counted before the award: the threads of the recipient's
 * replies or their own threads, or the live sessions they attended, latest first, in the badge's
 * community or district.
 */
async function activityLinks(
  db: Executor,
  publicUrl: string,
  award: AwardOrigin,
): Promise<EvidenceInput[]> {
  const [rule] =
    award.ruleId === null
      ? []
      : await db
          .select({ kind: badgeRules.kind })
          .from(badgeRules)
          .where(eq(badgeRules.id, award.ruleId));
  const scope = sql`(c.id = b.community_id or c.district_id = b.district_id)`;
  const found = async (query: ReturnType<typeof sql>) =>
    rowsOf(await db.execute(query)).map((row) => ({
      id: Number(row.id),
      title: String(row.title),
    }));
  const link = (typename: string, path: string, id: number) =>
    `${publicUrl}/${path}/${encodeURIComponent(encodeGlobalID(typename, id))}`;
  switch (rule?.kind) {
    case 'replies_posted':
    case 'threads_started':
    case 'reactions_received': {
      const rows = await found(
        rule.kind === 'threads_started'
          ? sql`select t.id, t.title
            from threads t
            join communities c on c.id = t.community_id
            join badges b on b.id = ${award.badgeId}
            where ${scope} and t.author_id = ${award.recipientId}
              and t.created_at <= ${award.awardedAt}
            order by t.created_at desc
            limit ${MAX_ACTIVITY_LINKS}`
          : sql`select t.id, t.title, max(p.created_at) as latest
            from posts p
            join threads t on t.id = p.thread_id
            join communities c on c.id = t.community_id
            join badges b on b.id = ${award.badgeId}
            where ${scope} and p.author_id = ${award.recipientId} and p.deleted_at is null
              and p.created_at <= ${award.awardedAt}
            group by t.id, t.title
            order by latest desc
            limit ${MAX_ACTIVITY_LINKS}`,
      );
      return rows.map((thread) => ({
        id: link('Thread', 't', thread.id),
        name: thread.title,
        description:
          rule.kind === 'threads_started'
            ? 'A discussion thread the recipient started.'
            : 'A discussion thread with the recipient’s replies.',
      }));
    }
    case 'sessions_attended': {
      const rows = await found(sql`select s.id, s.title
        from live_attendance a
        join live_sessions s on s.id = a.live_session_id
        join communities c on c.id = s.community_id
        join badges b on b.id = ${award.badgeId}
        where ${scope} and a.user_id = ${award.recipientId} and s.ends_at <= ${award.awardedAt}
        order by s.starts_at desc
        limit ${MAX_ACTIVITY_LINKS}`);
      return rows.map((session) => ({
        id: link('LiveSession', 's', session.id),
        name: session.title,
        description: 'A live session the recipient attended.',
      }));
    }
    default:
      return [];
  }
}

async function ruleNarrative(db: Executor, award: AwardOrigin): Promise<string> {
  const [rule] =
    award.ruleId === null
      ? []
      : await db.select().from(badgeRules).where(eq(badgeRules.id, award.ruleId));
  if (!rule) {
    return 'Awarded automatically by a rule of the badge that has since been removed.';
  }
  const scope =
    award.issuer.kind === 'community'
      ? `in ${award.issuer.name}`
      : `in the communities of ${award.issuer.name}`;
  const count = (singular: string, plural: string) =>
    `${rule.threshold} ${rule.threshold === 1 ? singular : plural}`;
  switch (rule.kind) {
    case 'sessions_attended': {
      const minutes =
        rule.minMinutes > 0
          ? `, each for at least ${rule.minMinutes} ${rule.minMinutes === 1 ? 'minute' : 'minutes'}`
          : '';
      return `Awarded automatically for attending ${count('live session', 'live sessions')} ${scope}${minutes}.`;
    }
    case 'replies_posted':
      return `Awarded automatically for posting ${count('reply', 'replies')} ${scope}.`;
    case 'threads_started':
      return `Awarded automatically for starting ${count('discussion thread', 'discussion threads')} ${scope}.`;
    case 'reactions_received':
      return `Awarded automatically for receiving ${count('reaction', 'reactions')} on posts ${scope}.`;
    case 'pathway': {
      const pathway = await db
        .select({ name: badges.name })
        .from(badgeRuleBadges)
        .innerJoin(badges, eq(badges.id, badgeRuleBadges.badgeId))
        .where(eq(badgeRuleBadges.ruleId, rule.id))
        .orderBy(asc(badges.name));
      const names = pathway.map((badge) => badge.name).join(', ');
      return `Awarded automatically for earning ${count('badge', 'badges')} of the pathway${names ? `: ${names}` : ''}.`;
    }
  }
}
