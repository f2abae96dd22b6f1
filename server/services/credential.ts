import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { asc, eq } from 'drizzle-orm';
import type { Database } from '../../drizzle/db.ts';
import {
  badgeAlignments,
  badgeAwards,
  badges,
  communities,
  districts,
  frameworkStandards,
  frameworks,
  users,
} from '../../drizzle/tables/index.ts';
import { canReadAwardCredential } from '../auth/access.ts';
import type { SecretBox } from '../auth/secret-box.ts';
import { activeSigningKey, recipientSalt } from '../credentials/key-ring.ts';
import {
  type AlignmentInput,
  buildOpenBadgeCredential,
  type OpenBadgeCredential,
} from '../credentials/open-badge.ts';
import { signCredential } from '../credentials/proof.ts';
import { badgeImagePath } from './badge-image.ts';
import { awardEvidence } from './credential-evidence.ts';
import { type IssuerKind, issuerHomeUrl, issuerIdOf } from './credential-issuer.ts';
import { awardStatusEntry } from './credential-status.ts';

const CREDENTIAL_PATH = '/credentials/awards/';

/** Returns the address of an award's signed credential. */
export function awardCredentialUrl(publicUrl: string, awardId: number): string {
  return `${publicUrl}${CREDENTIAL_PATH}${encodeURIComponent(encodeGlobalID('BadgeAward', awardId))}.json`;
}

/** Returns the award id of a credential address of this server, or null for any other URL. */
export function awardIdOfCredentialUrl(publicUrl: string, url: string): number | null {
  const prefix = `${publicUrl}${CREDENTIAL_PATH}`;
  if (!url.startsWith(prefix) || !url.endsWith('.json')) {
    return null;
  }
  try {
    return awardIdOf(decodeURIComponent(url.slice(prefix.length, -'.json'.length)));
  } catch {
    return null;
  }
}

/** Decodes the award id of a BadgeAward global id, or returns null for anything else. */
export function awardIdOf(globalId: string): number | null {
  try {
    const { typename, id } = decodeGlobalID(globalId);
    return typename === 'BadgeAward' && /^[1-9][0-9]{0,8}$/.test(id) ? Number(id) : null;
  } catch {
    return null;
  }
}

async function loadAward(db: Database, awardId: number) {
  const [award] = await db
    .select({
      id: badgeAwards.id,
      awardedAt: badgeAwards.awardedAt,
      expiresAt: badgeAwards.expiresAt,
      recipientId: badgeAwards.recipientId,
      source: badgeAwards.source,
      note: badgeAwards.note,
      ruleId: badgeAwards.ruleId,
      submissionId: badgeAwards.submissionId,
      recipientEmail: users.email,
      recipientBadgesPublic: users.badgesPublic,
      badgeId: badges.id,
      badgeName: badges.name,
      badgeDescription: badges.description,
      badgeCriteria: badges.criteria,
      badgeKind: badges.kind,
      communitySlug: communities.slug,
      communityName: communities.name,
      visibility: communities.visibility,
      districtSlug: districts.slug,
      districtName: districts.name,
    })
    .from(badgeAwards)
    .innerJoin(badges, eq(badges.id, badgeAwards.badgeId))
    .innerJoin(users, eq(users.id, badgeAwards.recipientId))
    .leftJoin(communities, eq(communities.id, badges.communityId))
    .leftJoin(districts, eq(districts.id, badges.districtId))
    .where(eq(badgeAwards.id, awardId));
  if (!award) {
    return null;
  }
  const issuer =
    award.communitySlug !== null && award.communityName !== null
      ? { kind: 'community' as IssuerKind, slug: award.communitySlug, name: award.communityName }
      : award.districtSlug !== null && award.districtName !== null
        ? { kind: 'district' as IssuerKind, slug: award.districtSlug, name: award.districtName }
        : null;
  if (!issuer) {
    throw new Error(`Badge ${award.badgeId} has neither a community nor a district`);
  }
  return { ...award, issuer };
}

async function loadAlignments(
  db: Database,
  publicUrl: string,
  badgeId: number,
): Promise<AlignmentInput[]> {
  const rows = await db
    .select({
      code: frameworkStandards.code,
      name: frameworkStandards.name,
      summary: frameworkStandards.summary,
      frameworkName: frameworks.name,
      frameworkUrl: frameworks.url,
    })
    .from(badgeAlignments)
    .innerJoin(frameworkStandards, eq(frameworkStandards.id, badgeAlignments.standardId))
    .innerJoin(frameworks, eq(frameworks.id, frameworkStandards.frameworkId))
    .where(eq(badgeAlignments.badgeId, badgeId))
    .orderBy(asc(frameworks.id), asc(frameworkStandards.position));
  return rows.map((row) => ({
    targetName: row.name,
    targetDescription: row.summary,
    targetCode: row.code,
    targetFramework: row.frameworkName,
    // A district framework may have no address, so the platform's address is used instead.
    targetUrl: row.frameworkUrl ?? publicUrl,
    targetType: 'ext:FrameworkStandard',
  }));
}

/**
 * Builds and signs the OpenBadgeCredential of an award, or returns null when the award does not
 * exist or the viewer may not read it. The issuer is the badge's community or district. Revoked
 * and expired awards export too: every credential carries a BitstringStatusListEntry for
 * revocation and, when the award expires, its expiry as validUntil.
 */
export async function awardCredential(
  db: Database,
  secretBox: SecretBox,
  publicUrl: string,
  viewerId: number | null,
  awardGlobalId: string,
): Promise<OpenBadgeCredential | null> {
  const awardId = awardIdOf(awardGlobalId);
  const award = awardId === null ? null : await loadAward(db, awardId);
  // A district's badges are read by its staff only, so like a community that is not public, the
  // credential of a district's badge is for its recipient alone.
  if (
    !award ||
    !canReadAwardCredential(viewerId, {
      ...award,
      visibility: award.issuer.kind === 'community' ? (award.visibility ?? '') : 'district',
    })
  ) {
    return null;
  }

  const issuerId = issuerIdOf(publicUrl, award.issuer.kind, award.issuer.slug);
  const key = await activeSigningKey(db, secretBox, issuerId);
  if (!key) {
    throw new Error('No active credential signing key; the server creates one when it starts');
  }
  const unsigned = buildOpenBadgeCredential({
    id: awardCredentialUrl(publicUrl, award.id),
    issuer: { id: issuerId, name: award.issuer.name, url: issuerHomeUrl(publicUrl, award.issuer) },
    validFrom: new Date(award.awardedAt),
    ...(award.expiresAt && { validUntil: new Date(award.expiresAt) }),
    recipient: {
      email: award.recipientEmail,
      salt: await recipientSalt(db, secretBox, award.id),
    },
    achievement: {
      id: `${issuerId}/achievements/${encodeURIComponent(encodeGlobalID('Badge', award.badgeId))}`,
      name: award.badgeName,
      description: award.badgeDescription,
      criteriaNarrative: award.badgeCriteria,
      achievementType: award.badgeKind === 'microcredential' ? 'MicroCredential' : 'Achievement',
      // Every badge has an image there: the uploaded one, else one drawn from a template.
      imageUrl: `${publicUrl}${badgeImagePath(award.badgeId)}`,
      alignments: await loadAlignments(db, publicUrl, award.badgeId),
    },
    evidence: await awardEvidence(db, publicUrl, {
      source: award.source,
      recipientId: award.recipientId,
      awardedAt: award.awardedAt,
      badgeId: award.badgeId,
      ruleId: award.ruleId,
      submissionId: award.submissionId,
      badgeName: award.badgeName,
      issuer: award.issuer,
    }),
    credentialStatus: awardStatusEntry(publicUrl, award.issuer, award.id),
  });
  return signCredential(unsigned, key);
}
