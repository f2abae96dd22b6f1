import { encodeGlobalID } from '@pothos/plugin-relay';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { districtAdmins, districts, users } from '../../drizzle/tables/index.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import {
  createCommunityWithMembers,
  mutate,
  rowIdOf,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

describe.each(await databaseKinds())(
  'district embed keys of an admin from outside on %s',
  (kind) => {
    let database: TestDatabase;
    let server: TestServer;
    let admin: { id: string; token: string };
    let districtId: string;
    let coaches: { id: string; slug: string };

    beforeAll(async () => {
      database = await createTestDatabase(kind);
      server = await startTestServer({ database });
      // The admin works for the state, not for the district, so it cannot read district content.
      admin = await signUpUser(server, { displayName: 'Ana Admin' });
      const staff = await signUpUser(server, { displayName: 'Sol Staff' });
      const { db } = server.database;
      const [district] = await db
        .insert(districts)
        .values({ slug: 'riverbend', name: 'Riverbend Unified' })
        .returning();
      const id = district?.id ?? 0;
      districtId = encodeGlobalID('District', id);
      await db.insert(districtAdmins).values({ districtId: id, userId: rowIdOf(admin.id) });
      await db
        .update(users)
        .set({ districtId: id })
        .where(eq(users.id, rowIdOf(staff.id)));
      coaches = await createCommunityWithMembers(server, staff.token, {
        name: 'Riverbend Coaches',
        focus: 'LEADERSHIP',
        visibility: 'DISTRICT',
      });
    });

    afterAll(async () => {
      await server?.stop();
      await database?.drop();
    });

    test('admin lists district communities', async () => {
      const result = await server.graphql(
        `{ district(slug: "riverbend") { ownedCommunities { id slug name visibility } } }`,
        {},
        { token: admin.token },
      );
      expect(result.body.errors).toBeUndefined();
      expect(result.body.data.district.ownedCommunities).toEqual([
        { id: coaches.id, slug: coaches.slug, name: 'Riverbend Coaches', visibility: 'DISTRICT' },
      ]);
    });

    test('admin creates and reads its key', async () => {
      const created = await mutate(
        server,
        'createEmbedKey',
        'CreateEmbedKeyInput',
        {
          districtId,
          name: 'Staff portal',
          allowedOrigins: ['https://portal.riverbend.example.org'],
          communityIds: [coaches.id],
        },
        'key communities { id name visibility }',
        admin.token,
      );
      expect(created.communities).toEqual([
        { id: coaches.id, name: 'Riverbend Coaches', visibility: 'DISTRICT' },
      ]);

      const listed = await server.graphql(
        `{ district(slug: "riverbend") { embedKeys { key communities { slug } } } }`,
        {},
        { token: admin.token },
      );
      expect(listed.body.errors).toBeUndefined();
      expect(listed.body.data.district.embedKeys).toEqual([
        { key: created.key, communities: [{ slug: coaches.slug }] },
      ]);
    });

    test('others get no community list', async () => {
      const stranger = await signUpUser(server, { displayName: 'Sam Stranger' });
      const result = await server.graphql(
        `{ district(slug: "riverbend") { ownedCommunities { id } } }`,
        {},
        { token: stranger.token },
      );
      expect(result.body.data.district.ownedCommunities).toBeNull();
    });
  },
);
