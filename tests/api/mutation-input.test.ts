/**
 * Every mutation of the schema gets bad input from a person with every admin role. Each response
 * is a typed error, or GraphQL's own validation error for a value of the wrong shape, and never an
 * internal error. The database is left exactly as it was.
 */
import { is, sql } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import {
  type GraphQLInputType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rowsOf } from '../../drizzle/db.ts';
import * as tables from '../../drizzle/tables/index.ts';
import { schema } from '../../schema/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import {
  type Json,
  mutate,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

/** Tables whose rows change on any request: rate-limit counters and sign-in use times. */
const CHANGING_ANYWAY = new Set(['rate_limits', 'auth_sessions']);

const BAD_TEXTS: Record<string, string> = {
  'a NUL character': 'bad\u0000value',
  'half a surrogate pair': 'bad\ud800value',
  'blank text': '   ',
  'an over-long text': 'x'.repeat(20_001),
  'a zero width space and an unclosed embedding': 'bad\u200b\u202bvalue',
  'a tab and a line separator': 'bad\tva\u2028lue',
};

/** Builds a value of `type` in which every text is `text` and every id is malformed. */
function badValue(type: GraphQLInputType, text: string, depth = 0): unknown {
  if (isNonNullType(type)) {
    return badValue(type.ofType, text, depth);
  }
  if (isListType(type)) {
    return [badValue(type.ofType, text, depth)];
  }
  if (isEnumType(type)) {
    return type.getValues()[0]?.name;
  }
  if (isInputObjectType(type)) {
    if (depth > 3) {
      return null;
    }
    return Object.fromEntries(
      Object.values(type.getFields()).map((field) => [
        field.name,
        badValue(field.type, text, depth + 1),
      ]),
    );
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'ID':
        return `not an id ${text.slice(0, 20)}`;
      case 'Int':
        return -1;
      case 'Boolean':
        return false;
      case 'DateTime':
        return 'not a time';
      default:
        return text;
    }
  }
  return null;
}

/**
 * Tells whether `type` has a field that `badValue` can make invalid: text, an id, a number or a
 * time. An input of enums and booleans only is valid whatever it holds.
 */
function canBeInvalid(type: GraphQLInputType, depth = 0): boolean {
  if (isNonNullType(type) || isListType(type)) {
    return canBeInvalid(type.ofType, depth);
  }
  if (isInputObjectType(type)) {
    return (
      depth <= 3 &&
      Object.values(type.getFields()).some((field) => canBeInvalid(field.type, depth + 1))
    );
  }
  return isScalarType(type) && type.name !== 'Boolean';
}

const MUTATIONS = Object.values(schema.getMutationType()?.getFields() ?? {}).filter((field) =>
  field.args.some((arg) => arg.name === 'input' && canBeInvalid(arg.type)),
);

let database: TestDatabase;
let server: TestServer;
let token: string;

/** Computes a fingerprint of every table's rows, to tell whether anything was written. */
async function snapshot(): Promise<Record<string, string>> {
  const names = Object.values(tables)
    .filter((value) => is(value, PgTable))
    .map((table) => getTableConfig(table as PgTable).name)
    .filter((name) => !CHANGING_ANYWAY.has(name));
  const result: Record<string, string> = {};
  for (const name of names) {
    const [row] = rowsOf(
      await server.database.db.execute(
        sql.raw(
          `select count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' order by t::text)), '') as print from "${name}" t`,
        ),
      ),
    );
    result[name] = String(row?.print ?? '');
  }
  return result;
}

beforeAll(async () => {
  database = await createTestDatabase('pglite');
  server = await startTestServer({ database, env: { SEED_DEMO: 'true' } });
  // A platform admin who owns a community and administers a district reaches every check.
  const person = await signUpUser(server, { displayName: 'Every Role' });
  token = person.token;
  await server.database.db.execute(
    sql`update users set is_platform_admin = true where email = ${person.email}`,
  );
  await server.database.db.execute(
    sql`insert into district_admins (district_id, user_id) select d.id, u.id from districts d, users u where u.email = ${person.email}`,
  );
  await mutate(
    server,
    'createCommunity',
    'CreateCommunityInput',
    { name: 'Input Matrix', focus: 'OTHER', visibility: 'PUBLIC' },
    'id',
    token,
  );
  // The mail worker marks the sign-up's verification mail sent in the background; that write
  // must land before the snapshots start.
  for (let attempt = 0; attempt < 100; attempt++) {
    const [pending] = rowsOf(
      await server.database.db.execute(
        sql`select count(*)::int as count from mail_outbox where status = 'pending'`,
      ),
    );
    if (Number(pending?.count) === 0) {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

describe.each(Object.entries(BAD_TEXTS))('every mutation with %s', (_label, text) => {
  test.each(MUTATIONS.map((field) => [field.name, field] as const))(
    '%s answers with a typed error and writes nothing',
    async (name, field) => {
      const inputArg = field.args.find((arg) => arg.name === 'input');
      const inputType = String(inputArg?.type);
      const before = await snapshot();

      const result = await server.graphql(
        `mutation($input: ${inputType}) { ${name}(input: $input) { __typename ... on Error { message } } }`,
        { input: badValue(getNamedType(inputArg?.type as GraphQLInputType), text) },
        { token },
      );
      const after = await snapshot();

      const typename: string | undefined = result.body.data?.[name]?.__typename;
      const code: string | undefined = result.body.errors?.[0]?.extensions?.code;
      expect(code, JSON.stringify(result.body)).not.toBe('INTERNAL_SERVER_ERROR');
      expect(
        typename?.endsWith('Error') || (result.body.errors?.length > 0 && typename === undefined),
        `${name} answered ${JSON.stringify(result.body as Json)}`,
      ).toBe(true);
      expect(after).toEqual(before);
    },
  );
});
