import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { and, asc, eq, exists } from 'drizzle-orm';
import type { Database } from '../../drizzle/db.ts';
import {
  badgeAlignments,
  badgeAwards,
  badges,
  communities,
  frameworkStandards,
  frameworks,
  users,
} from '../../drizzle/tables/index.ts';
import { canReadAwardCredential, isPublicIssuer } from '../auth/access.ts';
import type { SecretBox } from '../auth/secret-box.ts';
import {
  CREDENTIALS_V2_CONTEXT_URL,
  OPEN_BADGES_CONTEXT_URL,
} from '../credentials/document-loader.ts';
import {
  activeSigningKey,
  issuerKeyUrl,
  publishedKey,
  publishedKeyIds,
  recipientSalt,
} from '../credentials/key-ring.ts';
import type { MultikeyDocument } from '../credentials/keys.ts';
import {
  type AlignmentInput,
  buildOpenBadgeCredential,
  type JsonObject,
  type OpenBadgeCredential,
} from '../credentials/open-badge.ts';
import { signCredential, verifyCredential } from '../credentials/proof.ts';

const ISSUER_PATH = '/issuers/communities/';
const CREDENTIAL_PATH = '/credentials/awards/';

/** Returns the issuer id of a community, which is the address of its Open Badges Profile. */
export function communityIssuerId(publicUrl: string, slug: string): string {
  return `${publicUrl}${ISSUER_PATH}${slug}`;
}

/** Returns the address of an award's signed credential. */
export function awardCredentialUrl(publicUrl: string, awardId: number): string {
  return `${publicUrl}${CREDENTIAL_PATH}${encodeURIComponent(encodeGlobalID('BadgeAward', awardId))}.json`;
}

async function issuingCommunity(db: Database, slug: string) {
  const [community] = await db
    .select({ id: communities.id, name: communities.name, visibility: communities.visibility })
    .from(communities)
    .where(
      and(
        eq(communities.slug, slug),
        exists(db.select().from(badges).where(eq(badges.communityId, communities.id))),
      ),
    );
  return community ?? null;
}

/**
 * Builds the Open Badges issuer Profile of a public community with badges, listing the platform's
 * keys as its verification methods. Returns null for any other community.
 */
export async function issuerProfile(
  db: Database,
  publicUrl: string,
  slug: string,
): Promise<JsonObject | null> {
  const community = await issuingCommunity(db, slug);
  if (!community || !isPublicIssuer(community)) {
    return null;
  }
  const id = communityIssuerId(publicUrl, slug);
  const keyIds = await publishedKeyIds(db);
  const methods = await Promise.all(keyIds.map((keyId) => publishedKey(db, id, keyId)));
  return {
    '@context': [CREDENTIALS_V2_CONTEXT_URL, OPEN_BADGES_CONTEXT_URL],
    id,
    type: ['Profile'],
    name: community.name,
    url: `${publicUrl}/c/${slug}`,
    verificationMethod: methods.filter((method) => method !== null),
    assertionMethod: keyIds.map((keyId) => issuerKeyUrl(id, keyId)),
  };
}

/** Loads a public key as a public community publishes it, or returns null. */
export async function issuerKey(
  db: Database,
  publicUrl: string,
  slug: string,
  keyId: string,
): Promise<MultikeyDocument | null> {
  const community = await issuingCommunity(db, slug);
  if (!community || !isPublicIssuer(community)) {
    return null;
  }
  return publishedKey(db, communityIssuerId(publicUrl, slug), keyId);
}

/**
 * Builds and signs the OpenBadgeCredential of an award, or returns null when the award does not
 * exist or the viewer may not read it. Revoked and expired awards export too: their state shows
 * in validUntil and through POST /credentials/verify.
 */
export async function awardCredential(
  db: Database,
  secretBox: SecretBox,
  publicUrl: string,
  viewerId: number | null,
  awardGlobalId: string,
): Promise<OpenBadgeCredential | null> {
  const awardId = awardIdOf(awardGlobalId);
  if (awardId === null) {
    return null;
  }
  const [award] = await db
    .select({
      id: badgeAwards.id,
      awardedAt: badgeAwards.awardedAt,
      expiresAt: badgeAwards.expiresAt,
      recipientId: badgeAwards.recipientId,
      recipientEmail: users.email,
      recipientBadgesPublic: users.badgesPublic,
      badgeId: badges.id,
      badgeName: badges.name,
      badgeDescription: badges.description,
      badgeCriteria: badges.criteria,
      badgeKind: badges.kind,
      slug: communities.slug,
      communityName: communities.name,
      visibility: communities.visibility,
    })
    .from(badgeAwards)
    .innerJoin(badges, eq(badges.id, badgeAwards.badgeId))
    .innerJoin(communities, eq(communities.id, badges.communityId))
    .innerJoin(users, eq(users.id, badgeAwards.recipientId))
    .where(eq(badgeAwards.id, awardId));
  if (!award || !canReadAwardCredential(viewerId, award)) {
    return null;
  }

  const alignmentRows = await db
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
    .where(eq(badgeAlignments.badgeId, award.badgeId))
    .orderBy(asc(frameworks.id), asc(frameworkStandards.position));
  const alignments: AlignmentInput[] = alignmentRows.map((row) => ({
    targetName: row.name,
    targetDescription: row.summary,
    targetCode: row.code,
    targetFramework: row.frameworkName,
    // A district framework may have no address, so the platform's address is used instead.
    targetUrl: row.frameworkUrl ?? publicUrl,
    targetType: 'ext:FrameworkStandard',
  }));

  const issuerId = communityIssuerId(publicUrl, award.slug);
  const key = await activeSigningKey(db, secretBox, issuerId);
  if (!key) {
    throw new Error('No active credential signing key; the server creates one when it starts');
  }
  // NOTE: no credentialStatus yet, because no status list is published. Other verifiers learn of a
  // revocation only through POST /credentials/verify.
  const unsigned = buildOpenBadgeCredential({
    id: awardCredentialUrl(publicUrl, award.id),
    issuer: { id: issuerId, name: award.communityName, url: `${publicUrl}/c/${award.slug}` },
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
      alignments,
    },
  });
  return signCredential(unsigned, key);
}

export interface CredentialCheck {
  verified: boolean;
  errors: string[];
  /** Whether this server revoked the award; null when the credential is not one of its awards. */
  revoked: boolean | null;
  /** Whether validUntil has passed or the award expired here. */
  expired: boolean;
  issuer: { id: string; name: string | null } | null;
  achievement: { id: string | null; name: string | null } | null;
}

/**
 * Verifies a credential's proof against this server's published keys only: the verification
 * method must be `<PUBLIC_URL>/issuers/communities/<slug>/keys/<key id>` of an existing issuing
 * community and a key of the key ring. It also reports revocation and expiry of this server's
 * awards.
 */
export async function checkCredential(
  db: Database,
  publicUrl: string,
  credential: OpenBadgeCredential,
): Promise<CredentialCheck> {
  const methodPattern = new RegExp(
    `^${escapeRegExp(publicUrl + ISSUER_PATH)}([a-z0-9-]{1,64})/keys/(key-[0-9]{1,9})$`,
  );
  const result = await verifyCredential(credential, async (methodId) => {
    const match = methodPattern.exec(methodId);
    if (!match?.[1] || !match[2] || !(await issuingCommunity(db, match[1]))) {
      return null;
    }
    return publishedKey(db, communityIssuerId(publicUrl, match[1]), match[2]);
  });

  let revoked: boolean | null = null;
  let expired =
    typeof credential.validUntil === 'string' && Date.parse(credential.validUntil) <= Date.now();
  const awardPath = `${publicUrl}${CREDENTIAL_PATH}`;
  if (result.verified && credential.id.startsWith(awardPath) && credential.id.endsWith('.json')) {
    let awardId: number | null = null;
    try {
      const globalId = decodeURIComponent(credential.id.slice(awardPath.length, -'.json'.length));
      awardId = awardIdOf(globalId);
    } catch {
      awardId = null;
    }
    const [award] =
      awardId === null
        ? []
        : await db
            .select({ status: badgeAwards.status })
            .from(badgeAwards)
            .where(eq(badgeAwards.id, awardId));
    if (award) {
      revoked = award.status === 'revoked';
      expired ||= award.status === 'expired';
    }
  }

  const issuer = credential.issuer;
  const subject = credential.credentialSubject;
  const achievement =
    subject && typeof subject.achievement === 'object' && subject.achievement !== null
      ? (subject.achievement as JsonObject)
      : null;
  return {
    verified: result.verified,
    errors: result.errors,
    revoked,
    expired,
    issuer:
      issuer && typeof issuer.id === 'string'
        ? { id: issuer.id, name: typeof issuer.name === 'string' ? issuer.name : null }
        : null,
    achievement: achievement
      ? {
          id: typeof achievement.id === 'string' ? achievement.id : null,
          name: typeof achievement.name === 'string' ? achievement.name : null,
        }
      : null,
  };
}

/** Decodes the award id of a BadgeAward global id, or returns null for anything else. */
function awardIdOf(globalId: string): number | null {
  try {
    const { typename, id } = decodeGlobalID(globalId);
    return typename === 'BadgeAward' && /^[1-9][0-9]{0,8}$/.test(id) ? Number(id) : null;
  } catch {
    return null;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
