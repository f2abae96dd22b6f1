import SchemaBuilder from '@pothos/core';
import DrizzlePlugin from '@pothos/plugin-drizzle';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { GraphQLError } from 'graphql';
import { relations } from '../drizzle/relations.ts';
import {
  canAdministerDistrict,
  canModerateCommunity,
  canReadCommunityAudit,
  isPlatformAdmin,
} from '../server/auth/access.ts';
import type { EventHub } from '../server/pubsub/event-hub.ts';
import type { ServiceContext } from '../server/services/context.ts';

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
  /** The client's User-Agent header, kept with a new sign-in so its owner can tell it apart. */
  userAgent: string | null;
  /** The person that a signUp or signIn in this request just signed in, if any. */
  signedInUserId?: number;
  /** Sets or clears the web client's session cookie on this response. */
  setSessionCookie: (token: string | null, expiresAt?: Date) => void;
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

/**
 * Checks a `node(id:)` or `nodes(ids:)` lookup before it loads. A community's type check alone
 * would not do: asked only for fields that answer null when withheld, an unlisted community would
 * come back as an object of nulls, which tells that it exists.
 */
async function mayLookUp(ctx: GraphQLContext, id: { typename: string; id: string }) {
  if (id.typename === 'Community' && isRowId(id)) {
    return ctx.access.canSee(Number(id.id));
  }
  return true;
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
    seeCommunity: number;
    readCommunity: number;
    moderateCommunity: number;
    readCommunityAudit: number;
    readThread: number;
    readLiveSession: number;
    readBadge: number;
    isViewer: number;
  };
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    ID: { Input: string; Output: string | number };
  };
  DefaultFieldNullability: false;
}>({
  plugins: [ScopeAuthPlugin, ErrorsPlugin, RelayPlugin, DrizzlePlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: (ctx) => ({
      signedIn: ctx.viewer !== null,
      platformAdmin: isPlatformAdmin(ctx.viewer),
      administerDistrict: (districtId) => canAdministerDistrict(ctx.viewer, districtId),
      seeCommunity: (communityId) => ctx.access.canSee(communityId),
      readCommunity: (communityId) => ctx.access.canRead(communityId),
      moderateCommunity: async (communityId) =>
        canModerateCommunity(await ctx.access.membership(communityId)),
      readCommunityAudit: async (communityId) => {
        const [community, membership] = await Promise.all([
          ctx.access.community(communityId),
          ctx.access.membership(communityId),
        ]);
        return community !== null && canReadCommunityAudit(ctx.viewer, community, membership);
      },
      readThread: (threadId) => ctx.access.canReadParent('thread', threadId),
      readLiveSession: (liveSessionId) => ctx.access.canReadParent('liveSession', liveSessionId),
      readBadge: (badgeId) => ctx.access.canReadParent('badge', badgeId),
      isViewer: (userId) => ctx.viewer !== null && ctx.viewer.id === userId,
    }),
    unauthorizedError: () => new Error('Not found, or you do not have access to it.'),
  },
  relay: {
    nodeQueryOptions: {
      // The callback always loads the requested id, which is checked here first.
      resolve: async (_root, { id }, ctx, _info, resolveNode) =>
        (await mayLookUp(ctx, id)) ? resolveNodeOrNull(id, resolveNode) : null,
    },
    nodesQueryOptions: {
      resolve: async (_root, { ids }, _ctx, _info, resolveNodes) => {
        if (ids.length > MAX_PAGE_SIZE) {
          throw new GraphQLError(`nodes takes at most ${MAX_PAGE_SIZE} ids; got ${ids.length}.`, {
            extensions: { code: 'BAD_USER_INPUT' },
          });
        }
        // The callback loads all of `ids` at once, whatever it is given, so ids are checked first
        // and a batch that names a missing row is one request error.
        const malformed = ids.find((id) => !isRowId(id));
        if (malformed) {
          throw new GraphQLError(
            `${malformed.typename}:${malformed.id.slice(0, 40)} is not a valid id.`,
            {
              extensions: { code: 'BAD_USER_INPUT' },
            },
          );
        }
        try {
          const allowed = await Promise.all(ids.map((id) => mayLookUp(_ctx, id)));
          const nodes = await resolveNodes(ids);
          return nodes.map((node, index) => (allowed[index] ? node : null));
        } catch (error) {
          if (error instanceof Error && /^Model \w+\(.*\) not found$/.test(error.message)) {
            throw new GraphQLError(
              'Some of the ids name no object; look them up one at a time with node(id:) to see which.',
              { extensions: { code: 'NOT_FOUND' } },
            );
          }
          throw error;
        }
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
