import { and, eq, exists } from 'drizzle-orm';
import type { Executor } from '../../drizzle/db.ts';
import { badges, communities, districts } from '../../drizzle/tables/index.ts';
import { isPublicIssuer } from '../auth/access.ts';
import {
  CREDENTIALS_V2_CONTEXT_URL,
  OPEN_BADGES_CONTEXT_URL,
} from '../credentials/document-loader.ts';
import { issuerKeyUrl, publishedKey, publishedKeyIds } from '../credentials/key-ring.ts';
import type { MultikeyDocument } from '../credentials/keys.ts';
import type { JsonObject } from '../credentials/open-badge.ts';
import type { ResolveKey } from '../credentials/proof.ts';

/*
 * An Open Badges issuer is a community or a district that defines badges. Each has a Profile at
 * `<PUBLIC_URL>/issuers/communities/<slug>` or `<PUBLIC_URL>/issuers/districts/<slug>`, with the
 * platform's keys under it (see key-ring.ts).
 */

export type IssuerKind = 'community' | 'district';

/** The path segment of each kind of issuer, also used by status list addresses. */
export const ISSUER_SEGMENTS: Record<IssuerKind, string> = {
  community: 'communities',
  district: 'districts',
};

const SLUG = '[a-z0-9-]{1,64}';
const KEY_ID = 'key-[0-9]{1,9}';

/** A community or district that defines at least one badge. */
export interface Issuer {
  kind: IssuerKind;
  /** Row id of the community or district. */
  rowId: number;
  slug: string;
  name: string;
  /**
   * Whether the Profile, keys and status lists are published to everyone: every district, and
   * public communities only.
   */
  published: boolean;
}

/** Returns the issuer id: the address of the issuer's Open Badges Profile. */
export function issuerIdOf(publicUrl: string, kind: IssuerKind, slug: string): string {
  return `${publicUrl}/issuers/${ISSUER_SEGMENTS[kind]}/${slug}`;
}

/**
 * Returns the `url` an issuer Profile publishes. A community's is its page. A district has no
 * public page on Staffroom, and a verified email domain does not prove which web site is the
 * district's, so a district's is the Staffroom address that hosts its badges.
 */
export function issuerHomeUrl(publicUrl: string, issuer: Pick<Issuer, 'kind' | 'slug'>): string {
  return issuer.kind === 'community' ? `${publicUrl}/c/${issuer.slug}` : publicUrl;
}

/** Parses `<PUBLIC_URL>/issuers/<segment>/<slug>` and returns its kind and slug, or null. */
export function parseIssuerId(
  publicUrl: string,
  url: string,
): { kind: IssuerKind; slug: string } | null {
  for (const kind of ['community', 'district'] as const) {
    const prefix = `${publicUrl}/issuers/${ISSUER_SEGMENTS[kind]}/`;
    if (url.startsWith(prefix)) {
      const slug = url.slice(prefix.length);
      return new RegExp(`^${SLUG}$`).test(slug) ? { kind, slug } : null;
    }
  }
  return null;
}

/** Loads the community or district with this slug when it defines badges, whatever its visibility. */
export async function loadIssuer(
  db: Executor,
  kind: IssuerKind,
  slug: string,
): Promise<Issuer | null> {
  if (kind === 'community') {
    const [community] = await db
      .select({ id: communities.id, name: communities.name, visibility: communities.visibility })
      .from(communities)
      .where(
        and(
          eq(communities.slug, slug),
          exists(db.select().from(badges).where(eq(badges.communityId, communities.id))),
        ),
      );
    return community
      ? {
          kind,
          rowId: community.id,
          slug,
          name: community.name,
          published: isPublicIssuer(community),
        }
      : null;
  }
  const [district] = await db
    .select({ id: districts.id, name: districts.name })
    .from(districts)
    .where(
      and(
        eq(districts.slug, slug),
        exists(db.select().from(badges).where(eq(badges.districtId, districts.id))),
      ),
    );
  // District names and schools are public, so every district that awards badges is published.
  return district ? { kind, rowId: district.id, slug, name: district.name, published: true } : null;
}

/** Loads an issuer that is published to everyone, or returns null. */
export async function loadPublishedIssuer(
  db: Executor,
  kind: IssuerKind,
  slug: string,
): Promise<Issuer | null> {
  const issuer = await loadIssuer(db, kind, slug);
  return issuer?.published ? issuer : null;
}

/**
 * Builds the Open Badges Profile of a published issuer, listing the platform's keys, active and
 * retired, as its verification methods. It publishes the name and the `url` of issuerHomeUrl,
 * and no email address or people. Returns null for an issuer that is not published.
 */
export async function issuerProfile(
  db: Executor,
  publicUrl: string,
  kind: IssuerKind,
  slug: string,
): Promise<JsonObject | null> {
  const issuer = await loadPublishedIssuer(db, kind, slug);
  if (!issuer) {
    return null;
  }
  const id = issuerIdOf(publicUrl, kind, slug);
  const keyIds = await publishedKeyIds(db);
  const methods = await Promise.all(keyIds.map((keyId) => publishedKey(db, id, keyId)));
  return {
    '@context': [CREDENTIALS_V2_CONTEXT_URL, OPEN_BADGES_CONTEXT_URL],
    id,
    type: ['Profile'],
    name: issuer.name,
    url: issuerHomeUrl(publicUrl, issuer),
    verificationMethod: methods.filter((method) => method !== null),
    assertionMethod: keyIds.map((keyId) => issuerKeyUrl(id, keyId)),
  };
}

/** Loads a public key as a published issuer publishes it, or returns null. */
export async function issuerKey(
  db: Executor,
  publicUrl: string,
  kind: IssuerKind,
  slug: string,
  keyId: string,
): Promise<MultikeyDocument | null> {
  if (!(await loadPublishedIssuer(db, kind, slug))) {
    return null;
  }
  return publishedKey(db, issuerIdOf(publicUrl, kind, slug), keyId);
}

/**
 * Returns a ResolveKey that accepts only this server's keys: the verification method must be
 * `<issuer id>/keys/<key id>` of an issuer that defines badges and a key of the key ring. Issuers
 * that are not published count too, so a recipient of a private community's badge can verify it
 * here.
 */
export function ownKeyResolver(db: Executor, publicUrl: string): ResolveKey {
  return async (methodId) => {
    const keyStart = methodId.lastIndexOf('/keys/');
    if (keyStart < 0) {
      return null;
    }
    const issuer = parseIssuerId(publicUrl, methodId.slice(0, keyStart));
    const keyId = methodId.slice(keyStart + '/keys/'.length);
    if (!issuer || !new RegExp(`^${KEY_ID}$`).test(keyId)) {
      return null;
    }
    if (!(await loadIssuer(db, issuer.kind, issuer.slug))) {
      return null;
    }
    return publishedKey(db, issuerIdOf(publicUrl, issuer.kind, issuer.slug), keyId);
  };
}
