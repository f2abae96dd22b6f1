import SchemaBuilder from '@pothos/core';
import DrizzlePlugin from '@pothos/plugin-drizzle';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { relations } from '../drizzle/relations.ts';
import {
  canAdministerDistrict,
  canManageEmbedKeys,
  canModerateCommunity,
  canReadCommunityAudit,
  isPlatformAdmin,
} from '../server/auth/access.ts';
import type { EventHub } from '../server/pubsub/event-hub.ts';
import {
  type BadgeAwardAccessRow,
  canReadBadgeAward,
  canReadBadgeAwardDetails,
} from '../server/services/badge-award-access.ts';
import type { ServiceContext } from '../server/services/context.ts';
import { mayModerateContent } from '../server/services/moderation-access.ts';
import { canReadUploadById } from '../server/services/upload-access.ts';
import { mayShowNode } from './content-visibility.ts';

/** Context that every resolver receives. */
export interface GraphQLContext extends ServiceContext {
  events: EventHub;
  /** The sign-in this request was authenticated with, if any. */
  authSessionId: number | null;
  /** The bearer token or cookie value this request was authenticated with. */
  authToken: string | null;
  /** When the sign-in this request was authenticated with expires. */
  authExpiresAt: Date | null;
  /** The client's address, for rate limits: see TRUST_PROXY. */
  clientAddress: string;
  /** The address users open, for links in mail, without a trailing slash. */
  publicUrl: string;
  /** Milliseconds after its last heartbeat that a person in a live session room counts as gone. */
  presenceTimeoutMs: number;
  /** Analytics figures computed over fewer distinct people than this are suppressed. */
  analyticsMinGroupSize: number;
  /** The client's User-Agent header, kept with a new sign-in so its owner can tell it apart. */
  userAgent: string | null;
  /** The person that a signUp or signIn in this request just signed in, if any. */
  signedInUserId?: number;
  /** Sets or clears the web client's session cookie on this response. */
  setSessionCookie: (token: string | null, expiresAt?: Date) => void;
  /** Reports whether an origin is the server's own: PUBLIC_URL's, CORS_ORIGINS or loopback. */
  isOwnOrigin: (origin: string) => boolean;
}

/**
 * Loads a node, or returns null for an id that is not a positive 32-bit integer or names no row,
 * the same answer as for a node the viewer may not read.
 */
function isRowId(id: { id: string }): boolean {
  return /^[1-9]\d{0,9}$/.test(id.id) && Number(id.id) <= 2_147_483_647;
}

async function resolveNodeOrNull(
  id: { typename: string; id: string },
  resolveNode: (id: { typename: string; id: string }) => unknown,
): Promise<unknown> {
  if (!isRowId(id)) {
    return null;
  }
  try {
    return await resolveNode(id);
  } catch (error) {
    if (error instanceof Error && /^Model \w+\(.*\) not found$/.test(error.message)) {
      return null;
    }
    throw error;
  }
}

/** Builds the scope checks behind every `authScopes` of the schema, for one request's viewer. */
function scopeCheckers(ctx: GraphQLContext) {
  return {
    // Functions rather than values, so that the viewer is read only where a scope uses it. A
    // subscription payload that reads no viewer is then shared by all its subscribers.
    signedIn: (expected: boolean) => (ctx.viewer !== null) === expected,
    platformAdmin: (expected: boolean) => isPlatformAdmin(ctx.viewer) === expected,
    administerDistrict: (districtId: number) => canAdministerDistrict(ctx.viewer, districtId),
    readDistrictBadges: (districtId: number) => ctx.access.isDistrictReader(districtId),
    seeCommunity: (communityId: number) => ctx.access.canSee(communityId),
    readCommunity: (communityId: number) => ctx.access.canRead(communityId),
    moderateCommunity: async (communityId: number) =>
      canModerateCommunity(await ctx.access.membership(communityId)),
    readCommunityAudit: async (communityId: number) => {
      const [community, membership] = await Promise.all([
        ctx.access.community(communityId),
        ctx.access.membership(communityId),
      ]);
      return community !== null && canReadCommunityAudit(ctx.viewer, community, membership);
    },
    moderateContent: (communityId: number) => mayModerateContent(ctx, communityId),
    readThread: (threadId: number) => ctx.access.canReadParent('thread', threadId),
    readLiveSession: (liveSessionId: number) =>
      ctx.access.canReadParent('liveSession', liveSessionId),
    readBadge: (badgeId: number) => ctx.access.canReadParent('badge', badgeId),
    readBadgeAward: (award: BadgeAwardAccessRow) => canReadBadgeAward(ctx, award),
    readBadgeAwardDetails: (award: BadgeAwardAccessRow) => canReadBadgeAwardDetails(ctx, award),
    readUpload: (uploadId: number) => canReadUploadById(ctx, uploadId),
    isViewer: (userId: number) => ctx.viewer !== null && ctx.viewer.id === userId,
    manageEmbedKeys: async (owner: { communityId: number | null; districtId: number | null }) =>
      canManageEmbedKeys(
        ctx.viewer,
        owner,
        owner.communityId === null ? null : await ctx.access.membership(owner.communityId),
      ),
  };
}

type ScopeMap = { $any?: ScopeMap; $all?: ScopeMap } & Record<string, unknown>;

/** Evaluates a scope map as Pothos does: every key must pass, or any key within `$any`. */
async function passesScopes(
  checkers: Record<string, unknown>,
  scopes: ScopeMap,
  any = false,
): Promise<boolean> {
  const results = await Promise.all(
    Object.entries(scopes).map(async ([key, value]) => {
      if (key === '$any' || key === '$all') {
        return passesScopes(checkers, value as ScopeMap, key === '$any');
      }
      const check = checkers[key];
      return typeof check === 'function' ? Boolean(await check(value)) : check === value;
    }),
  );
  return any ? results.some(Boolean) : results.every(Boolean);
}

/**
 * Runs a type's own `authScopes` on a row that `node(id:)` or `nodes(ids:)` loaded. Field checks
 * come too late for lookups: a hidden object would come back as an error, or as an object with
 * only `__typename`, where a missing one comes back as null, which would tell that it exists.
 */
async function mayReturnNode(
  ctx: GraphQLContext,
  schema: GraphQLSchema,
  typename: string,
  row: unknown,
): Promise<boolean> {
  const options = schema.getType(typename)?.extensions?.pothosOptions as
    | { authScopes?: unknown }
    | undefined;
  const authScopes = options?.authScopes;
  if (!authScopes || row === null || row === undefined) {
    return true;
  }
  const scopes = typeof authScopes === 'function' ? await authScopes(row, ctx) : authScopes;
  // A boolean result grants or denies outright, as it does in the scope-auth plugin.
  if (typeof scopes === 'boolean') {
    return scopes;
  }
  return (
    (await passesScopes(scopeCheckers(ctx), scopes as ScopeMap)) && mayShowNode(ctx, typename, row)
  );
}

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DrizzleRelations: typeof relations;
  AuthScopes: {
    signedIn: boolean;
    platformAdmin: boolean;
    administerDistrict: number;
    readDistrictBadges: number;
    seeCommunity: number;
    readCommunity: number;
    moderateCommunity: number;
    readCommunityAudit: number;
    moderateContent: number;
    readThread: number;
    readLiveSession: number;
    readBadge: number;
    /** A badge award, which the viewer may read under the rule that lists holders. */
    readBadgeAward: BadgeAwardAccessRow;
    /** A badge award whose note and revocation details the viewer may read. */
    readBadgeAwardDetails: BadgeAwardAccessRow;
    readUpload: number;
    isViewer: number;
    /** The owner of embed keys: a community (its owners) or a district (its admins). */
    manageEmbedKeys: { communityId: number | null; districtId: number | null };
  };
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    ID: { Input: string; Output: string | number };
    /** A file part of a multipart request (GraphQL multipart request specification). */
    File: { Input: File; Output: never };
  };
  DefaultFieldNullability: false;
}>({
  plugins: [ScopeAuthPlugin, ErrorsPlugin, RelayPlugin, DrizzlePlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: scopeCheckers,
    unauthorizedError: () => new Error('Not found, or you do not have access to it.'),
  },
  relay: {
    nodeTypeOptions: {
      description: 'An object with a global id, which `node(id:)` and `nodes(ids:)` fetch.',
    },
    idFieldOptions: {
      description: 'Global id of the object, for `node(id:)` and for the inputs that name it.',
    },
    nodeQueryOptions: {
      description:
        'Any object by its global id; null when the id is malformed, names no object, or names one the viewer may not read.',
      args: { id: { description: 'A global id, as an `id` field returns it.' } },
      // The id is checked before the callback loads it, and the row after, against its type's
      // authScopes: a hidden object returns null, as a missing one does.
      resolve: async (_root, { id }, ctx, info, resolveNode) => {
        const node = await resolveNodeOrNull(id, resolveNode);
        return (await mayReturnNode(ctx, info.schema, id.typename, node)) ? node : null;
      },
    },
    nodesQueryOptions: {
      description:
        'Objects by their global ids, in the order given. A malformed id is a BAD_USER_INPUT error; an id that names no object the viewer may see makes the whole list a NOT_FOUND error.',
      args: { ids: { description: 'Global ids, at most 100.' } },
      resolve: async (_root, { ids }, ctx, info, resolveNodes) => {
        if (ids.length > MAX_PAGE_SIZE) {
          throw new GraphQLError(`nodes takes at most ${MAX_PAGE_SIZE} ids; got ${ids.length}.`, {
            extensions: { code: 'BAD_USER_INPUT' },
          });
        }
        // The callback loads all of `ids` at once, whatever it is given, so ids are checked first.
        const malformed = ids.find((id) => !isRowId(id));
        if (malformed) {
          throw new GraphQLError(
            `${malformed.typename}:${malformed.id.slice(0, 40)} is not a valid id.`,
            {
              extensions: { code: 'BAD_USER_INPUT' },
            },
          );
        }
        const unknownIds = new GraphQLError(
          'Some of the ids name no object you may see; look them up one at a time with node(id:) to see which.',
          { extensions: { code: 'NOT_FOUND' } },
        );
        let nodes: readonly unknown[];
        try {
          nodes = await resolveNodes(ids);
        } catch (error) {
          if (error instanceof Error && /^Model \w+\(.*\) not found$/.test(error.message)) {
            throw unknownIds;
          }
          throw error;
        }
        const allowed = await Promise.all(
          ids.map((id, index) => mayReturnNode(ctx, info.schema, id.typename, nodes[index])),
        );
        // A hidden object gets the same error as a missing one, so neither reveals that it exists.
        if (allowed.includes(false)) {
          throw unknownIds;
        }
        return nodes;
      },
    },
    clientMutationId: 'omit',
    cursorType: 'String',
    nodesOnConnection: true,
  },
  errors: {
    defaultTypes: [],
  },
  // NOTE: the drizzle plugin does not check the values inside a cursor, so a hand-made cursor
  // whose value has the wrong type reaches SQL and fails as an internal error, not bad input.
  drizzle: {
    client: (ctx) => ctx.db,
    relations,
    getTableConfig,
    defaultConnectionSize: DEFAULT_PAGE_SIZE,
    maxConnectionSize: MAX_PAGE_SIZE,
  },
});
