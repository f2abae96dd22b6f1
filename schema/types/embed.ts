import { encodeGlobalID } from '@pothos/plugin-relay';
import { asc, eq } from 'drizzle-orm';
import type { Database } from '../../drizzle/db.ts';
import { communities, embedKeyCommunities } from '../../drizzle/tables/index.ts';
import { canAdministerDistrict } from '../../server/auth/access.ts';
import {
  createEmbedKey,
  listEmbedKeys,
  listEmbedKeyUsage,
  MAX_EMBED_COMMUNITIES,
  MAX_EMBED_ORIGINS,
  revokeEmbedKey,
  updateEmbedKey,
  WIDGET_TOKEN_MINUTES,
} from '../../server/services/embed-key.ts';
import { createWidgetToken } from '../../server/services/widget-token.ts';
import { builder } from '../builder.ts';
import { COMMON_ERRORS } from '../errors.ts';
import { parseGlobalId } from '../ids.ts';
import { District, VisibilityEnum } from './community.ts';

const EmbedKeyUsageDay = builder
  .objectRef<{ day: string; requests: number; subscriptions: number; frames: number }>(
    'EmbedKeyUsageDay',
  )
  .implement({
    description: "One UTC day of an embed key's use.",
    fields: (t) => ({
      day: t.exposeString('day', { description: 'The day, as YYYY-MM-DD in UTC.' }),
      requests: t.exposeInt('requests', {
        description: 'Queries and mutations that widgets sent through the key.',
      }),
      subscriptions: t.exposeInt('subscriptions', {
        description: 'Live subscriptions that widgets started through the key.',
      }),
      frames: t.exposeInt('frames', { description: 'Loads of the iframe variant.' }),
    }),
  });

/** Communities listed for choosing a key's scope. */
const MAX_OWNED_COMMUNITIES = 500;

const EMBED_KEY_COMMUNITY_COLUMNS = {
  id: communities.id,
  slug: communities.slug,
  name: communities.name,
  visibility: communities.visibility,
};

type EmbedKeyCommunityRow = {
  id: number;
  slug: string;
  name: string;
  visibility: 'public' | 'district' | 'private';
};

/**
 * A community as its key's managers see it. A district admin who is not the district's staff may
 * not read its district communities, yet chooses them for keys, so this is not a Community.
 */
const EmbedKeyCommunityRef = builder
  .objectRef<EmbedKeyCommunityRow>('EmbedKeyCommunity')
  .implement({
    description: "A community that an embed key shows or could show, as the key's managers see it.",
    fields: (t) => ({
      id: t.id({
        description: "The Community's global id.",
        resolve: (community) => encodeGlobalID('Community', community.id),
      }),
      slug: t.exposeString('slug', { description: 'Its slug, for the widget attribute.' }),
      name: t.exposeString('name', { description: 'Its name.' }),
      visibility: t.field({
        type: VisibilityEnum,
        description: 'Who may read it; decides what the key alone shows.',
        resolve: (community) => community.visibility,
      }),
    }),
  });

async function listEmbedKeyCommunities(
  db: Database,
  embedKeyId: number,
): Promise<EmbedKeyCommunityRow[]> {
  return db
    .select(EMBED_KEY_COMMUNITY_COLUMNS)
    .from(embedKeyCommunities)
    .innerJoin(communities, eq(communities.id, embedKeyCommunities.communityId))
    .where(eq(embedKeyCommunities.embedKeyId, embedKeyId))
    .orderBy(asc(communities.name), asc(communities.id));
}

const EmbedKeyRef = builder.drizzleNode('embedKeys', {
  name: 'EmbedKey',
  description:
    "A key that lets widgets on other sites show chosen communities. The key string is public: it sits in the page's snippet, and browsers may use it only from its allowed origins. Read by those who manage it: the community's owners, or the district's admins.",
  id: { column: (key) => key.id },
  authScopes: (key) => ({
    manageEmbedKeys: { communityId: key.communityId, districtId: key.districtId },
  }),
  fields: (t) => ({
    key: t.exposeString('publicKey', {
      description: 'The key string that snippets carry, such as ek_3J9x…; not a secret.',
    }),
    name: t.exposeString('name', { description: "The owner's label, 1 to 80 characters." }),
    allowedOrigins: t.exposeStringList('allowedOrigins', {
      description:
        "Origins (scheme, host and port) whose pages may use the key, besides Staffroom's own.",
    }),
    communities: t.field({
      type: [EmbedKeyCommunityRef],
      description: 'The communities that widgets with this key may show, by name.',
      resolve: (key, _args, ctx) => listEmbedKeyCommunities(ctx.db, key.id),
    }),
    community: t.relation('community', {
      nullable: true,
      description: "The community that owns the key; null for a district's key.",
    }),
    district: t.relation('district', {
      nullable: true,
      description: "The district that owns the key; null for a community's key.",
    }),
    districtReadAccepted: t.boolean({
      description:
        "Whether a district admin accepted that anyone holding the snippet can read the key's district communities, without signing in. The Origin check protects browsers only: a script on any site can read what this opens.",
      resolve: (key) => key.districtReadAcceptedAt !== null,
    }),
    districtReadAcceptedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When open reading was accepted.',
      resolve: (key) => key.districtReadAcceptedAt,
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When the key was created.',
      resolve: (key) => key.createdAt,
    }),
    createdBy: t.relation('createdByUser', {
      nullable: true,
      description: 'Who created it; null when that account was deleted.',
    }),
    revokedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it was revoked; every request through it fails from then on.',
      resolve: (key) => key.revokedAt,
    }),
    useCount: t.int({
      description:
        'Requests, subscriptions and frame loads through the key, all time, up to 2,147,483,647 (the largest GraphQL Int). Counts are written every few seconds, so the newest uses may be missing for a moment.',
      resolve: (key) => Math.min(key.useCount, 2_147_483_647),
    }),
    lastUsedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the key was last used, to within a few seconds.',
      resolve: (key) => key.lastUsedAt,
    }),
    usage: t.field({
      type: [EmbedKeyUsageDay],
      description: 'Use per UTC day, newest first, for days with any use.',
      args: {
        days: t.arg.int({
          required: false,
          defaultValue: 30,
          description: 'How many days back, from 1 to 366; 30 by default.',
        }),
      },
      resolve: (key, args, ctx) => listEmbedKeyUsage(ctx.db, key.id, args.days ?? 30),
    }),
  }),
});

builder.drizzleObjectFields('communities', (t) => ({
  embedKeys: t.field({
    type: [EmbedKeyRef],
    nullable: true,
    description: "The community's embed keys, newest first; null unless the viewer is an owner.",
    resolve: (community, _args, ctx) =>
      listEmbedKeys(ctx, { communityId: community.id, districtId: null }),
  }),
}));

builder.drizzleObjectFields(District, (t) => ({
  ownedCommunities: t.field({
    type: [EmbedKeyCommunityRef],
    nullable: true,
    description: `The district's own communities of every visibility, by name, up to ${MAX_OWNED_COMMUNITIES}, for choosing what its embed keys show; null unless the viewer administers the district.`,
    resolve: (district, _args, ctx) =>
      canAdministerDistrict(ctx.viewer, district.id)
        ? ctx.db
            .select(EMBED_KEY_COMMUNITY_COLUMNS)
            .from(communities)
            .where(eq(communities.districtId, district.id))
            .orderBy(asc(communities.name), asc(communities.id))
            .limit(MAX_OWNED_COMMUNITIES)
        : null,
  }),
  embedKeys: t.field({
    type: [EmbedKeyRef],
    nullable: true,
    description: "The district's embed keys, newest first; null unless the viewer is its admin.",
    resolve: (district, _args, ctx) =>
      listEmbedKeys(ctx, { communityId: null, districtId: district.id }),
  }),
}));

const WidgetTokenRef = builder
  .objectRef<{ token: string; expiresAt: string; userId: number }>('WidgetToken')
  .implement({
    description:
      'A short-lived sign-in for one widget: it works only on the embed endpoint, with one embed key, from pages at one origin.',
    fields: (t) => ({
      token: t.exposeString('token', {
        description:
          'Send it as `Authorization: Bearer <token>`, or as `authorization` in the WebSocket connection_init payload. Shown once.',
      }),
      expiresAt: t.field({
        type: 'DateTime',
        description: `When it stops working: ${WIDGET_TOKEN_MINUTES} minutes after it was made.`,
        resolve: (created) => created.expiresAt,
      }),
      viewer: t.drizzleField({
        type: 'users',
        description: 'The person it signs in.',
        resolve: async (query, created, _args, ctx) => {
          const user = await ctx.db.query.users.findFirst(query({ where: { id: created.userId } }));
          if (!user) {
            throw new Error(`User ${created.userId} of a new widget sign-in not found`);
          }
          return user;
        },
      }),
    }),
  });

const ORIGINS_DESCRIPTION = `1 to ${MAX_EMBED_ORIGINS} origins such as https://portal.example.org: https, or http for localhost only; no path, no wildcard.`;

builder.mutationFields((t) => ({
  createEmbedKey: t.field({
    type: EmbedKeyRef,
    description:
      "Creates an embed key for a community (its owners) or a district (its admins). A community's key shows that community; a district's key shows the district communities it lists.",
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('CreateEmbedKeyInput', {
          description: 'A new embed key. Give exactly one of communityId and districtId.',
          fields: (f) => ({
            communityId: f.id({ description: 'The community that owns the key.' }),
            districtId: f.id({ description: 'The district that owns the key.' }),
            name: f.string({ required: true, description: 'A label, 1 to 80 characters.' }),
            allowedOrigins: f.stringList({ required: true, description: ORIGINS_DESCRIPTION }),
            communityIds: f.idList({
              description: `For a district's key: 1 to ${MAX_EMBED_COMMUNITIES} of its communities. A community's key may omit this or list only itself.`,
            }),
            districtReadAccepted: f.boolean({
              description:
                "For a district's key: accept that anyone holding the snippet can read its district communities without signing in. Private communities are never opened.",
            }),
          }),
        }),
      }),
    },
    resolve: (_parent, { input }, ctx) =>
      createEmbedKey(ctx, {
        communityId:
          input.communityId == null
            ? null
            : parseGlobalId(String(input.communityId), 'Community', 'communityId'),
        districtId:
          input.districtId == null
            ? null
            : parseGlobalId(String(input.districtId), 'District', 'districtId'),
        name: input.name,
        allowedOrigins: input.allowedOrigins,
        communityIds:
          input.communityIds?.map((id, index) =>
            parseGlobalId(String(id), 'Community', `communityIds.${index}`),
          ) ?? null,
        districtReadAccepted: input.districtReadAccepted ?? false,
      }),
  }),
  updateEmbedKey: t.field({
    type: EmbedKeyRef,
    description:
      'Changes an embed key. Widgets open through it reconnect and are checked against the new settings.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('UpdateEmbedKeyInput', {
          description: 'The fields to change; those left out stay as they are.',
          fields: (f) => ({
            embedKeyId: f.id({ required: true, description: 'The key.' }),
            name: f.string({ description: 'A label, 1 to 80 characters.' }),
            allowedOrigins: f.stringList({ description: ORIGINS_DESCRIPTION }),
            communityIds: f.idList({
              description: `For a district's key: 1 to ${MAX_EMBED_COMMUNITIES} of its communities.`,
            }),
            districtReadAccepted: f.boolean({
              description: "For a district's key: accept or withdraw open reading.",
            }),
          }),
        }),
      }),
    },
    resolve: (_parent, { input }, ctx) =>
      updateEmbedKey(ctx, {
        embedKeyId: parseGlobalId(String(input.embedKeyId), 'EmbedKey', 'embedKeyId'),
        name: input.name ?? null,
        allowedOrigins: input.allowedOrigins ?? null,
        communityIds:
          input.communityIds?.map((id, index) =>
            parseGlobalId(String(id), 'Community', `communityIds.${index}`),
          ) ?? null,
        districtReadAccepted: input.districtReadAccepted ?? null,
      }),
  }),
  revokeEmbedKey: t.field({
    type: EmbedKeyRef,
    description:
      'Revokes an embed key: widgets using it stop at once, on open pages too, and the widget sign-ins made for it end. It cannot be undone.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('RevokeEmbedKeyInput', {
          description: 'The key to revoke.',
          fields: (f) => ({ embedKeyId: f.id({ required: true, description: 'The key.' }) }),
        }),
      }),
    },
    resolve: (_parent, { input }, ctx) =>
      revokeEmbedKey(ctx, parseGlobalId(String(input.embedKeyId), 'EmbedKey', 'embedKeyId')),
  }),
  createWidgetToken: t.field({
    type: WidgetTokenRef,
    description: `Creates a sign-in for a widget on another site, for ${WIDGET_TOKEN_MINUTES} minutes, bound to one embed key and one page origin. Staffroom's sign-in popup calls it after the person agrees; it needs a browser or bearer sign-in.`,
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('CreateWidgetTokenInput', {
          description: 'The widget asking for a sign-in.',
          fields: (f) => ({
            embedKey: f.string({ required: true, description: "The widget's embed key string." }),
            origin: f.string({
              required: true,
              description:
                "The origin of the page that shows the widget; it must be on the key's list.",
            }),
          }),
        }),
      }),
    },
    resolve: (_parent, { input }, ctx) => createWidgetToken(ctx, input),
  }),
}));
