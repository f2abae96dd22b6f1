import { randomBytes } from 'node:crypto';
import { and, desc, eq, getColumns, inArray, isNull, sql } from 'drizzle-orm';
import type { Database, Executor } from '../../drizzle/db.ts';
import {
  authSessions,
  communities,
  districts,
  embedKeyCommunities,
  embedKeys,
  embedKeyUsage,
  memberships,
} from '../../drizzle/tables/index.ts';
import {
  canAdministerDistrict,
  canManageEmbedKeys,
  canWrite,
  type EmbedScope,
  type MembershipAccess,
  type Viewer,
} from '../auth/access.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { InputValidator } from '../validation.ts';
import { authSessionTopic } from './account.ts';
import { recordAudit } from './audit.ts';
import { requireViewer, type ServiceContext } from './context.ts';

export type EmbedKeyRow = typeof embedKeys.$inferSelect;

/** Origins on one key. */
export const MAX_EMBED_ORIGINS = 20;

/** Communities on one district key. */
export const MAX_EMBED_COMMUNITIES = 50;

/** Live keys per community or district. */
export const MAX_EMBED_KEYS = 50;

/** How long a widget sign-in lasts. */
export const WIDGET_TOKEN_MINUTES = 60;

const PUBLIC_KEY_PATTERN = /^ek_[A-Za-z0-9_-]{32}$/;

/** Hosts that may use plain http, for portals under development on the same machine. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A host as URL serializes it: a domain name (punycode for other scripts) or an IP address. URL
 * percent-decodes a host and keeps characters such as `*`, `;`, `,` and quotes, which would
 * become a wildcard or policy syntax in the frame's `frame-ancestors`.
 */
const ORIGIN_HOST_PATTERN = /^(?:[a-z0-9_-]+\.)*[a-z0-9_-]+\.?$|^\[[0-9a-f:.]+\]$/;

/** Topic on which a change to a key is announced, so every process drops its open streams. */
export function embedKeyTopic(embedKeyId: number): string {
  return `embed-key:${embedKeyId}`;
}

/** Topic on which a revoked key is announced, so every process closes its open streams. */
export function revokedEmbedKeyTopic(embedKeyId: number): string {
  return `embed-key-revoked:${embedKeyId}`;
}

/** Reports whether a string has the form of an embed key, before any lookup. */
export function isEmbedKeyString(value: string): boolean {
  return PUBLIC_KEY_PATTERN.test(value);
}

/**
 * Parses an origin for a key's list: `https://host[:port]`, or `http://` for loopback hosts
 * only. Returns the origin as browsers send it (lowercase host, default port dropped), or the
 * problem with the value.
 */
export function parseEmbedOrigin(value: string): { origin: string } | { problem: string } {
  const trimmed = value.trim();
  if (trimmed.length === 0) {
    return { problem: 'must not be empty' };
  }
  if (trimmed.length > 200) {
    return { problem: 'must be at most 200 characters' };
  }
  if (trimmed.includes('*')) {
    return { problem: 'must name one site; wildcards are not accepted' };
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return {
      problem: `"${trimmed.slice(0, 80)}" is not an origin such as https://portal.example.org`,
    };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { problem: 'must start with https://' };
  }
  if (!ORIGIN_HOST_PATTERN.test(url.hostname)) {
    return {
      problem: `has the host "${url.hostname.slice(0, 80)}", which is not a domain name or IP address`,
    };
  }
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    return { problem: 'must use https:// (plain http is accepted only for localhost)' };
  }
  if (url.username || url.password) {
    return { problem: 'must not contain a user name or password' };
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    return {
      problem: `must be an origin without a path, such as ${url.origin}`,
    };
  }
  return { origin: url.origin };
}

function parseOrigins(validator: InputValidator, values: readonly string[]): string[] {
  if (values.length === 0) {
    validator.add(
      'allowedOrigins',
      'must list at least one origin, such as https://portal.example.org',
    );
  }
  if (values.length > MAX_EMBED_ORIGINS) {
    validator.add('allowedOrigins', `must list at most ${MAX_EMBED_ORIGINS} origins`);
  }
  const origins = new Set<string>();
  values.slice(0, MAX_EMBED_ORIGINS).forEach((value, index) => {
    const parsed = parseEmbedOrigin(value);
    if ('problem' in parsed) {
      validator.add(`allowedOrigins.${index}`, parsed.problem);
    } else {
      origins.add(parsed.origin);
    }
  });
  return [...origins];
}

/** An embed key with the communities it lists, as a request through it needs. */
export interface LoadedEmbedKey {
  row: EmbedKeyRow;
  communityIds: number[];
}

/** Loads a key by its public string, revoked or not; null for an unknown or malformed one. */
export async function findEmbedKey(
  db: Database,
  publicKey: string,
): Promise<LoadedEmbedKey | null> {
  if (!isEmbedKeyString(publicKey)) {
    return null;
  }
  // One query per request: the key with its communities.
  const [found] = await db
    .select({
      row: getColumns(embedKeys),
      communityIds: sql<
        number[]
      >`array(select ${embedKeyCommunities.communityId} from ${embedKeyCommunities} where ${embedKeyCommunities.embedKeyId} = ${embedKeys.id} order by 1)`,
    })
    .from(embedKeys)
    .where(eq(embedKeys.publicKey, publicKey));
  return found ? { row: found.row, communityIds: found.communityIds.map(Number) } : null;
}

export async function listEmbedKeyCommunityIds(
  db: Executor,
  embedKeyId: number,
): Promise<number[]> {
  const rows = await db
    .select({ communityId: embedKeyCommunities.communityId })
    .from(embedKeyCommunities)
    .where(eq(embedKeyCommunities.embedKeyId, embedKeyId))
    .orderBy(embedKeyCommunities.communityId);
  return rows.map((row) => row.communityId);
}

/** Builds the access scope of requests made through a key. */
export function embedScopeOf(key: LoadedEmbedKey): EmbedScope {
  return {
    embedKeyId: key.row.id,
    communityIds: new Set(key.communityIds),
    districtId: key.row.districtId,
    districtReadAccepted: key.row.districtReadAcceptedAt !== null,
  };
}

/**
 * Reports whether a browser page at `origin` may use the key: an origin on its list, or one of
 * the server's own (the iframe variant and the owner's preview run there).
 */
export function embedOriginAllowed(
  key: EmbedKeyRow,
  origin: string,
  isOwnOrigin: (origin: string) => boolean,
): boolean {
  return key.allowedOrigins.includes(origin) || isOwnOrigin(origin);
}

function requireKeyWriter(ctx: ServiceContext): Viewer {
  const viewer = requireViewer(ctx);
  if (!canWrite(viewer)) {
    throw new ForbiddenError('This API token is read-only; use a token with the WRITE scope.');
  }
  return viewer;
}

/**
 * Checks that the viewer manages the key's owner, or throws. Inside a transaction, pass it as
 * `db`: the embedded database has one connection, so a read outside the transaction would wait
 * for the transaction forever.
 */
async function requireKeyManager(
  ctx: ServiceContext,
  owner: { communityId: number | null; districtId: number | null },
  db: Executor = ctx.db,
): Promise<void> {
  let membership: MembershipAccess | null = null;
  if (owner.communityId !== null && ctx.viewer !== null) {
    const [row] = await db
      .select({ role: memberships.role, status: memberships.status })
      .from(memberships)
      .where(
        and(eq(memberships.communityId, owner.communityId), eq(memberships.userId, ctx.viewer.id)),
      );
    membership = row ?? null;
  }
  if (!canManageEmbedKeys(ctx.viewer, owner, membership)) {
    throw new ForbiddenError(
      owner.districtId === null
        ? "Only the community's owners manage its embed keys."
        : "Only the district's admins manage its embed keys.",
    );
  }
}

export interface CreateEmbedKeyInput {
  communityId: number | null;
  districtId: number | null;
  name: string;
  allowedOrigins: readonly string[];
  communityIds: readonly number[] | null;
  districtReadAccepted: boolean;
}

/**
 * Creates an embed key for a community (its owners) or a district (its admins). A community key
 * lists exactly its community; a district key lists 1 to 50 of the district's communities.
 */
export async function createEmbedKey(
  ctx: ServiceContext,
  input: CreateEmbedKeyInput,
): Promise<EmbedKeyRow> {
  const viewer = requireKeyWriter(ctx);
  const validator = new InputValidator();
  if ((input.communityId === null) === (input.districtId === null)) {
    validator.add('communityId', 'give exactly one of communityId and districtId');
    validator.check();
  }
  const name = validator.text('name', input.name, { max: 80 });
  const origins = parseOrigins(validator, input.allowedOrigins);

  let scope: number[];
  if (input.communityId !== null) {
    await ctx.access.requireVisible(input.communityId);
    await requireKeyManager(ctx, { communityId: input.communityId, districtId: null });
    if (input.communityIds?.some((id) => id !== input.communityId)) {
      validator.add('communityIds', "a community's key shows only that community");
    }
    if (input.districtReadAccepted) {
      validator.add(
        'districtReadAccepted',
        "only a district's key can open district communities to anyone with the snippet",
      );
    }
    scope = [input.communityId];
  } else {
    const districtId = input.districtId as number;
    await requireDistrict(ctx, districtId);
    scope = await checkDistrictCommunities(ctx.db, validator, districtId, input.communityIds);
  }
  validator.check();

  return ctx.db.transaction(async (tx) => {
    const ownerCondition =
      input.communityId !== null
        ? eq(embedKeys.communityId, input.communityId)
        : eq(embedKeys.districtId, input.districtId as number);
    // The owner's row lock serializes creations, so the count below stays true.
    if (input.communityId !== null) {
      await tx
        .select({ id: communities.id })
        .from(communities)
        .where(eq(communities.id, input.communityId))
        .for('update');
    } else {
      await tx
        .select({ id: districts.id })
        .from(districts)
        .where(eq(districts.id, input.districtId as number))
        .for('update');
    }
    const [live] = await tx
      .select({ count: sql<number>`count(*)::int` })
      .from(embedKeys)
      .where(and(ownerCondition, isNull(embedKeys.revokedAt)));
    if ((live?.count ?? 0) >= MAX_EMBED_KEYS) {
      throw new ConflictError(
        `There are already ${MAX_EMBED_KEYS} live embed keys here; revoke one before creating another.`,
      );
    }
    const accepted = input.districtId !== null && input.districtReadAccepted;
    const [row] = await tx
      .insert(embedKeys)
      .values({
        publicKey: `ek_${randomBytes(24).toString('base64url')}`,
        name,
        communityId: input.communityId,
        districtId: input.districtId,
        allowedOrigins: origins,
        districtReadAcceptedAt: accepted ? sql`now()` : null,
        districtReadAcceptedBy: accepted ? viewer.id : null,
        createdBy: viewer.id,
      })
      .returning();
    if (!row) {
      throw new Error(`Creating embed key "${name}" returned no row`);
    }
    await tx
      .insert(embedKeyCommunities)
      .values(scope.map((communityId) => ({ embedKeyId: row.id, communityId })));
    await recordAudit(tx, {
      actorId: viewer.id,
      action: 'embed_key.created',
      communityId: input.communityId,
      districtId: input.districtId,
      details: {
        embedKeyId: row.id,
        name,
        allowedOrigins: origins,
        communityIds: scope,
        districtReadAccepted: accepted,
      },
    });
    ctx.log.info(
      { embedKeyId: row.id, communityId: input.communityId, districtId: input.districtId },
      'Created an embed key',
    );
    return row;
  });
}

async function requireDistrict(ctx: ServiceContext, districtId: number): Promise<void> {
  const [district] = await ctx.db
    .select({ id: districts.id })
    .from(districts)
    .where(eq(districts.id, districtId));
  if (!district) {
    throw new NotFoundError(`District ${districtId} not found.`);
  }
  if (!canAdministerDistrict(ctx.viewer, districtId)) {
    throw new ForbiddenError("Only the district's admins manage its embed keys.");
  }
}

/** Checks a district key's community list: 1 to 50 communities of that district. */
async function checkDistrictCommunities(
  db: Executor,
  validator: InputValidator,
  districtId: number,
  communityIds: readonly number[] | null,
): Promise<number[]> {
  const requested = [...new Set(communityIds ?? [])];
  if (requested.length === 0) {
    validator.add('communityIds', "must list at least one of the district's communities");
    return [];
  }
  if (requested.length > MAX_EMBED_COMMUNITIES) {
    validator.add('communityIds', `must list at most ${MAX_EMBED_COMMUNITIES} communities`);
    return [];
  }
  const rows = await db
    .select({ id: communities.id, districtId: communities.districtId })
    .from(communities)
    .where(inArray(communities.id, requested));
  const ofDistrict = new Set(
    rows.filter((row) => row.districtId === districtId).map((row) => row.id),
  );
  (communityIds ?? []).forEach((id, index) => {
    if (!ofDistrict.has(id)) {
      validator.add(`communityIds.${index}`, "is not one of this district's communities");
    }
  });
  return requested.filter((id) => ofDistrict.has(id));
}

export interface UpdateEmbedKeyInput {
  embedKeyId: number;
  name: string | null;
  allowedOrigins: readonly string[] | null;
  communityIds: readonly number[] | null;
  districtReadAccepted: boolean | null;
}

/** Loads a key that the viewer manages, or throws NotFoundError as if it did not exist. */
async function loadManagedKey(
  ctx: ServiceContext,
  db: Executor,
  embedKeyId: number,
  lock: boolean,
): Promise<EmbedKeyRow> {
  const query = db.select().from(embedKeys).where(eq(embedKeys.id, embedKeyId));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) {
    throw new NotFoundError(`Embed key ${embedKeyId} not found.`);
  }
  try {
    await requireKeyManager(ctx, row, db);
  } catch (error) {
    if (error instanceof ForbiddenError) {
      throw new NotFoundError(`Embed key ${embedKeyId} not found.`);
    }
    throw error;
  }
  return row;
}

/**
 * Changes a key's name, origins, communities or open district reading. Pages open through the
 * key reconnect and are checked against the new settings.
 */
export async function updateEmbedKey(
  ctx: ServiceContext,
  input: UpdateEmbedKeyInput,
): Promise<EmbedKeyRow> {
  const viewer = requireKeyWriter(ctx);
  const validator = new InputValidator();
  const name = validator.optionalText('name', input.name, { max: 80 });
  const origins =
    input.allowedOrigins === null ? null : parseOrigins(validator, input.allowedOrigins);
  validator.check();

  const updated = await ctx.db.transaction(async (tx) => {
    const key = await loadManagedKey(ctx, tx, input.embedKeyId, true);
    if (key.revokedAt !== null) {
      throw new ConflictError('This embed key was revoked; create a new one instead.');
    }
    let scope: number[] | null = null;
    if (input.communityIds !== null) {
      if (key.districtId === null) {
        if (input.communityIds.some((id) => id !== key.communityId)) {
          validator.add('communityIds', "a community's key shows only that community");
        }
      } else {
        scope = await checkDistrictCommunities(tx, validator, key.districtId, input.communityIds);
      }
    }
    if (input.districtReadAccepted === true && key.districtId === null) {
      validator.add(
        'districtReadAccepted',
        "only a district's key can open district communities to anyone with the snippet",
      );
    }
    validator.check();

    const changes: Partial<typeof embedKeys.$inferInsert> = {};
    if (name !== undefined) {
      changes.name = name;
    }
    if (origins !== null) {
      changes.allowedOrigins = origins;
    }
    if (input.districtReadAccepted !== null && key.districtId !== null) {
      const accepted = key.districtReadAcceptedAt !== null;
      if (input.districtReadAccepted && !accepted) {
        changes.districtReadAcceptedAt = sql`now()` as unknown as string;
        changes.districtReadAcceptedBy = viewer.id;
      } else if (!input.districtReadAccepted && accepted) {
        changes.districtReadAcceptedAt = null;
        changes.districtReadAcceptedBy = null;
      }
    }
    let row = key;
    if (Object.keys(changes).length > 0) {
      const [changed] = await tx
        .update(embedKeys)
        .set(changes)
        .where(eq(embedKeys.id, key.id))
        .returning();
      row = changed ?? key;
    }
    if (scope !== null) {
      await tx.delete(embedKeyCommunities).where(eq(embedKeyCommunities.embedKeyId, key.id));
      await tx
        .insert(embedKeyCommunities)
        .values(scope.map((communityId) => ({ embedKeyId: key.id, communityId })));
    }
    await recordAudit(tx, {
      actorId: viewer.id,
      action: 'embed_key.changed',
      communityId: key.communityId,
      districtId: key.districtId,
      details: {
        embedKeyId: key.id,
        ...(name !== undefined && { name }),
        ...(origins !== null && { allowedOrigins: origins }),
        ...(scope !== null && { communityIds: scope }),
        ...(input.districtReadAccepted !== null && {
          districtReadAccepted: input.districtReadAccepted,
        }),
      },
    });
    return row;
  });
  ctx.publish([{ id: 0, topic: embedKeyTopic(updated.id) }]);
  ctx.log.info({ embedKeyId: updated.id }, 'Changed an embed key');
  return updated;
}

/**
 * Revokes a key: every request through it fails from now on, open widgets are disconnected on
 * every process, and the widget sign-ins made for it end. Revoking twice changes nothing.
 */
export async function revokeEmbedKey(
  ctx: ServiceContext,
  embedKeyId: number,
): Promise<EmbedKeyRow> {
  const viewer = requireKeyWriter(ctx);
  const { row, signIns } = await ctx.db.transaction(async (tx) => {
    const key = await loadManagedKey(ctx, tx, embedKeyId, true);
    if (key.revokedAt !== null) {
      return { row: key, signIns: [] };
    }
    const [revoked] = await tx
      .update(embedKeys)
      .set({ revokedAt: sql`now()`, revokedBy: viewer.id })
      .where(eq(embedKeys.id, key.id))
      .returning();
    const ended = await tx
      .update(authSessions)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(authSessions.embedKeyId, key.id), isNull(authSessions.revokedAt)))
      .returning({ id: authSessions.id });
    await recordAudit(tx, {
      actorId: viewer.id,
      action: 'embed_key.revoked',
      communityId: key.communityId,
      districtId: key.districtId,
      details: { embedKeyId: key.id, name: key.name, widgetSignInsEnded: ended.length },
    });
    return { row: revoked ?? key, signIns: ended.map((signIn) => signIn.id) };
  });
  if (signIns.length > 0 || row.revokedAt !== null) {
    ctx.publish([
      { id: 0, topic: revokedEmbedKeyTopic(row.id) },
      ...signIns.map((id) => ({ id: 0, topic: authSessionTopic(id) })),
    ]);
  }
  ctx.log.info({ embedKeyId: row.id }, 'Revoked an embed key');
  return row;
}

/** Lists the keys of a community or district, newest first, for those who manage them. */
export async function listEmbedKeys(
  ctx: ServiceContext,
  owner: { communityId: number | null; districtId: number | null },
): Promise<EmbedKeyRow[] | null> {
  if (ctx.viewer === null) {
    return null;
  }
  const membership =
    owner.communityId === null ? null : await ctx.access.membership(owner.communityId);
  if (!canManageEmbedKeys(ctx.viewer, owner, membership)) {
    return null;
  }
  return ctx.db
    .select()
    .from(embedKeys)
    .where(
      owner.communityId !== null
        ? eq(embedKeys.communityId, owner.communityId)
        : eq(embedKeys.districtId, owner.districtId as number),
    )
    .orderBy(desc(embedKeys.id));
}

/** Reads a key's use per day, newest first, for the last `days` days. */
export async function listEmbedKeyUsage(
  db: Database,
  embedKeyId: number,
  days: number,
): Promise<(typeof embedKeyUsage.$inferSelect)[]> {
  if (!Number.isInteger(days) || days < 1 || days > 366) {
    throw ValidationError.of('days', 'must be a whole number from 1 to 366');
  }
  return db
    .select()
    .from(embedKeyUsage)
    .where(
      and(
        eq(embedKeyUsage.embedKeyId, embedKeyId),
        sql`${embedKeyUsage.day} > (now() at time zone 'utc')::date - ${days}::int`,
      ),
    )
    .orderBy(desc(embedKeyUsage.day));
}
