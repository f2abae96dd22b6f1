import { encodeGlobalID } from '@pothos/plugin-relay';
import { asc, eq } from 'drizzle-orm';
import type { Executor } from '../../drizzle/db.ts';
import { badgeRuleBadges, badgeRules, badges } from '../../drizzle/tables/index.ts';
import type { EvidenceInput } from '../credentials/open-badge.ts';

/** How an award came about, from which its credential's evidence is built. */
export interface AwardOrigin {
  source: 'manual' | 'rule' | 'review';
  note: string;
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

/**
 * Builds the evidence entries of an award's credential. An award from approved evidence links to
 * the submission. An award from a rule names the rule in a narrative. An award given by hand
 * carries the awarder's note as a narrative, unless the note is empty.
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
    return [{ name: 'Badge rule', narrative: await ruleNarrative(db, award) }];
  }
  return award.note.trim() === '' ? [] : [{ name: "Awarder's note", narrative: award.note }];
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
