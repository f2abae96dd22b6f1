import { and, between, eq, max } from 'drizzle-orm';
import type { Executor } from '../../drizzle/db.ts';
import { badgeAwards, badges } from '../../drizzle/tables/index.ts';
import type { SecretBox } from '../auth/secret-box.ts';
import { activeSigningKey } from '../credentials/key-ring.ts';
import type { StatusListEntryInput } from '../credentials/open-badge.ts';
import { signCredential } from '../credentials/proof.ts';
import {
  BitstringStatusList,
  buildStatusListCredential,
  MIN_STATUS_LIST_BITS,
  type StatusListCredential,
} from '../credentials/status-list.ts';
import {
  ISSUER_SEGMENTS,
  type Issuer,
  type IssuerKind,
  issuerIdOf,
  loadIssuer,
  loadPublishedIssuer,
} from './credential-issuer.ts';

/** Entries in each status list: the minimum the Bitstring Status List specification allows. */
export const STATUS_LIST_LENGTH = MIN_STATUS_LIST_BITS;

/**
 * Returns the place of an award in its issuer's revocation lists. Award ids are handed out in
 * issue order, so the indices follow issue order too: list n contains the awards with ids from
 * n × 131,072 to (n + 1) × 131,072 − 1, at index id mod 131,072. Each issuer has its own lists,
 * in which only its own awards' bits are ever set.
 */
export function statusPosition(awardId: number): { listNumber: number; index: number } {
  return {
    listNumber: Math.floor(awardId / STATUS_LIST_LENGTH),
    index: awardId % STATUS_LIST_LENGTH,
  };
}

/** Returns the address of an issuer's revocation list number `listNumber`. */
export function statusListUrl(
  publicUrl: string,
  kind: IssuerKind,
  slug: string,
  listNumber: number,
): string {
  return `${publicUrl}/credentials/status/${ISSUER_SEGMENTS[kind]}/${slug}/${listNumber}`;
}

/** Returns the credentialStatus entry of an award of `issuer`. */
export function awardStatusEntry(
  publicUrl: string,
  issuer: Pick<Issuer, 'kind' | 'slug'>,
  awardId: number,
): StatusListEntryInput {
  const { listNumber, index } = statusPosition(awardId);
  return {
    statusListCredential: statusListUrl(publicUrl, issuer.kind, issuer.slug, listNumber),
    statusListIndex: index,
    statusPurpose: 'revocation',
  };
}

/** Parses a status list address of this server into its issuer and list number, or null. */
export function parseStatusListUrl(
  publicUrl: string,
  url: string,
): { kind: IssuerKind; slug: string; listNumber: number } | null {
  const pattern = new RegExp(
    `^${escapeRegExp(publicUrl)}/credentials/status/(communities|districts)/([a-z0-9-]{1,64})/(0|[1-9][0-9]{0,5})$`,
  );
  const match = pattern.exec(url);
  if (!match?.[1] || !match[2] || !match[3]) {
    return null;
  }
  return {
    kind: match[1] === 'communities' ? 'community' : 'district',
    slug: match[2],
    listNumber: Number(match[3]),
  };
}

function issuedBy(issuer: Issuer) {
  return issuer.kind === 'community'
    ? eq(badges.communityId, issuer.rowId)
    : eq(badges.districtId, issuer.rowId);
}

/**
 * Builds and signs, with the active key, the revocation list `listNumber` of a published issuer:
 * bit i is set when the issuer's award with id listNumber × 131,072 + i is revoked. Returns null
 * for an issuer that is not published, or for a list past the one that contains its newest award.
 */
export async function signedStatusList(
  db: Executor,
  secretBox: SecretBox,
  publicUrl: string,
  kind: IssuerKind,
  slug: string,
  listNumber: number,
): Promise<StatusListCredential | null> {
  const issuer = await loadPublishedIssuer(db, kind, slug);
  if (!issuer) {
    return null;
  }
  const [newest] = await db
    .select({ id: max(badgeAwards.id) })
    .from(badgeAwards)
    .innerJoin(badges, eq(badges.id, badgeAwards.badgeId))
    .where(issuedBy(issuer));
  if (listNumber > statusPosition(newest?.id ?? 0).listNumber) {
    return null;
  }

  const first = listNumber * STATUS_LIST_LENGTH;
  const revoked = await db
    .select({ id: badgeAwards.id })
    .from(badgeAwards)
    .innerJoin(badges, eq(badges.id, badgeAwards.badgeId))
    .where(
      and(
        issuedBy(issuer),
        eq(badgeAwards.status, 'revoked'),
        between(badgeAwards.id, first, first + STATUS_LIST_LENGTH - 1),
      ),
    );
  const list = BitstringStatusList.create(STATUS_LIST_LENGTH);
  for (const award of revoked) {
    list.set(award.id - first, true);
  }

  const issuerId = issuerIdOf(publicUrl, kind, slug);
  const key = await activeSigningKey(db, secretBox, issuerId);
  if (!key) {
    throw new Error('No active credential signing key; the server creates one when it starts');
  }
  const unsigned = buildStatusListCredential({
    id: statusListUrl(publicUrl, kind, slug, listNumber),
    issuerId,
    validFrom: new Date(),
    statusPurpose: 'revocation',
    list,
  });
  return signCredential(unsigned, key);
}

/** Status and validity period of one of this server's awards, as its row stores them. */
export interface AwardState {
  status: 'active' | 'revoked' | 'expired';
  awardedAt: string;
  expiresAt: string | null;
}

/** The award that one status list entry names, read from this server's database. */
export type OwnStatus = { found: true; award: AwardState } | { found: false };

/**
 * Reads the award that a status list entry of this server names, without building the list:
 * the award with id listNumber × 131,072 + index, when the issuer in the address issued it.
 */
export async function readOwnStatus(
  db: Executor,
  list: { kind: IssuerKind; slug: string; listNumber: number },
  index: number,
): Promise<OwnStatus> {
  if (!Number.isSafeInteger(index) || index < 0 || index >= STATUS_LIST_LENGTH) {
    return { found: false };
  }
  const issuer = await loadIssuer(db, list.kind, list.slug);
  if (!issuer) {
    return { found: false };
  }
  const [award] = await db
    .select({
      status: badgeAwards.status,
      awardedAt: badgeAwards.awardedAt,
      expiresAt: badgeAwards.expiresAt,
    })
    .from(badgeAwards)
    .innerJoin(badges, eq(badges.id, badgeAwards.badgeId))
    .where(and(issuedBy(issuer), eq(badgeAwards.id, list.listNumber * STATUS_LIST_LENGTH + index)));
  return award ? { found: true, award } : { found: false };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
