import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hash } from '@node-rs/argon2';
import { encodeGlobalID } from '@pothos/plugin-relay';
import postgres from 'postgres';
import type { SeedInfo } from './lib/context.ts';

/** How much the benchmark database holds. */
export interface SeedSizes {
  communities: number;
  /** A multiple of 20: each community takes every 20th user as a member. */
  users: number;
  threads: number;
  /** At least 10 per thread, because the last 5 rounds of replies reply to the first 5. */
  posts: number;
  liveSessions: number;
  /** Bearer tokens of members of the first community, for the fan-out figures. */
  tokens: number;
}

export const FULL_SIZES: SeedSizes = {
  communities: 100,
  users: 2_000,
  threads: 10_000,
  posts: 200_000,
  liveSessions: 50,
  tokens: 10_000,
};

export const QUICK_SIZES: SeedSizes = {
  communities: 10,
  users: 500,
  threads: 1_000,
  posts: 20_000,
  liveSessions: 50,
  tokens: 2_000,
};

/** Password of every seeded user. */
export const BENCH_PASSWORD = 'staffroom-benchmark';

/** Chat messages and questions in the live session of the fan-out figures. */
const CHAT_MESSAGES = 200;
const QUESTIONS = 60;

/**
 * Fills a migrated, empty database in one transaction with set-based statements.
 *
 * Community c takes the users u with u ≡ c (mod 20) as members (the first is its owner and the
 * second a facilitator), and community 1 takes every user, so that all tokens belong to its
 * members. Thread t is in community ((t - 1) mod C) + 1 and post p in thread ((p - 1) mod T) + 1,
 * so every thread gets posts / threads replies; the last five rounds reply to the first five.
 * Every tenth community is private, the others public. Live session 1 is live in community 1,
 * hosted by its owner, with slow mode off; the others are scheduled or ended. The counters that
 * the server keeps (reply counts, last activity, chat sequence) match the rows.
 */
export async function seedBenchmark(
  databaseUrl: string,
  sizes: SeedSizes,
  tokensDirectory: string,
): Promise<SeedInfo> {
  checkSizes(sizes);
  // A cheap argon2id hash (1 MiB, 1 pass) that the server still verifies, since argon2 reads
  // the parameters from the hash itself.
  const passwordHash = await hash(BENCH_PASSWORD, {
    algorithm: 2,
    memoryCost: 1024,
    timeCost: 1,
    parallelism: 1,
  });
  const tokenPrefix = `bench-${randomBytes(8).toString('hex')}-`;
  const hostToken = `${tokenPrefix}host`;

  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.begin(async (tx) => {
      await seedPeople(tx, sizes, passwordHash);
      await seedThreads(tx, sizes);
      await seedLiveSessions(tx, sizes);
      await seedTokens(tx, sizes, tokenPrefix, hostToken);
      for (const table of ['users', 'communities', 'threads', 'posts', 'live_sessions']) {
        await tx.unsafe(
          `select setval(pg_get_serial_sequence('${table}', 'id'), (select max(id) from ${table}))`,
        );
      }
    });
    await sql`analyze`;
  } finally {
    await sql.end({ timeout: 5 });
  }

  const tokens = Array.from({ length: sizes.tokens }, (_, index) => `${tokenPrefix}${index + 1}`);
  const tokensFile = join(tokensDirectory, 'tokens.json');
  writeFileSync(tokensFile, JSON.stringify(tokens));
  return {
    community: { slug: communitySlug(1), id: encodeGlobalID('Community', 1) },
    thread: { id: encodeGlobalID('Thread', 1) },
    liveSession: { id: encodeGlobalID('LiveSession', 1), hostToken },
    tokensFile,
    counts: {
      communities: sizes.communities,
      users: sizes.users,
      threads: sizes.threads,
      posts: sizes.posts,
      liveSessions: sizes.liveSessions,
    },
  };
}

export function communitySlug(index: number): string {
  return `bench-community-${index}`;
}

function checkSizes(sizes: SeedSizes): void {
  if (sizes.users % 20 !== 0 || sizes.users < 40) {
    throw new Error(`users must be a multiple of 20 and at least 40, not ${sizes.users}`);
  }
  if (sizes.posts < 10 * sizes.threads) {
    throw new Error(`posts (${sizes.posts}) must be at least 10 per thread (${sizes.threads})`);
  }
  if (sizes.threads < 2 * sizes.communities || sizes.liveSessions < 1) {
    throw new Error('each community needs two threads, and one live session is needed');
  }
}

/** SQL for the first member (the owner) of community `c`: the smallest u with u ≡ c (mod 20). */
const OWNER_OF = (c: string) => `(case when ${c} % 20 = 0 then 20 else ${c} % 20 end)`;

async function seedPeople(tx: postgres.TransactionSql, sizes: SeedSizes, passwordHash: string) {
  await tx`
    insert into users (id, email, password_hash, email_verified_at, display_name, created_at)
    overriding system value
    select u, 'educator' || u || '@bench.staffroom.example.org', ${passwordHash}, now(),
      (array['Avery', 'Jordan', 'Morgan', 'Riley', 'Casey', 'Quinn', 'Rowan', 'Sage'])[1 + u % 8]
        || ' ' || (array['Nguyen', 'Garcia', 'Okafor', 'Smith', 'Haddad', 'Kowalski', 'Tanaka'])[1 + u % 7]
        || ' ' || u,
      now() - interval '400 days'
    from generate_series(1, ${sizes.users}::int) u`;
  await tx.unsafe(
    `insert into communities (id, slug, name, description, focus, visibility, created_by_id, created_at)
    overriding system value
    select c, 'bench-community-' || c, 'Benchmark community ' || c,
      'A community of practice seeded for the benchmark: coaching, lesson study and shared materials.',
      (array['stem', 'literacy', 'crisis_preparedness', 'leadership', 'other'])[1 + c % 5],
      case when c % 10 = 0 then 'private' else 'public' end, ${OWNER_OF('c')},
      now() - interval '365 days'
    from generate_series(1, $1::int) c`,
    [sizes.communities],
  );
  await tx.unsafe(
    `insert into memberships (community_id, user_id, role, created_at)
    select c, u,
      case when u = ${OWNER_OF('c')} then 'owner' when u = ${OWNER_OF('c')} + 20 then 'facilitator'
        else 'member' end,
      now() - interval '300 days'
    from generate_series(1, $1::int) c, generate_series(${OWNER_OF('c')}, $2::int, 20) u`,
    [sizes.communities, sizes.users],
  );
  await tx`
    insert into memberships (community_id, user_id, created_at)
    select 1, u, now() - interval '200 days' from generate_series(1, ${sizes.users}::int) u
    on conflict (community_id, user_id) do nothing`;
}

async function seedThreads(tx: postgres.TransactionSql, sizes: SeedSizes) {
  const { communities, users, threads, posts } = sizes;
  // Members of community c are OWNER_OF(c) + 20k for k from 0 to users / 20 - 1.
  await tx.unsafe(
    `insert into threads (id, community_id, author_id, title, body, kind, pinned, created_at)
    overriding system value
    select t, c, ${OWNER_OF('c')} + 20 * ((t / $1::int) % ($2::int / 20)),
      'Thread ' || t || ': ' || (array['Number talks in grade 4', 'Reading conferences that stick',
        'Lockdown drills without panic', 'Coaching cycles for new teachers',
        'Open tasks for mixed-ability groups'])[1 + t % 5],
      'How do you run this in your classroom? Share what worked and what did not.',
      case when t % 7 = 0 then 'question' else 'discussion' end,
      t <= 2 * $1::int,
      now() - interval '200 days' + t * interval '20 minutes'
    from generate_series(1, $3::int) t, lateral (select ((t - 1) % $1::int) + 1 as c) community`,
    [communities, users, threads],
  );
  const rounds = Math.floor(posts / threads);
  await tx.unsafe(
    `insert into posts (id, thread_id, author_id, parent_id, depth, body, created_at)
    overriding system value
    select p.id, t.id, ${OWNER_OF('t.community_id')} + 20 * ((p.id * 13) % ($1::int / 20)),
      case when p.reply then p.id - ($2::int - 5) * $3::int end,
      case when p.reply then 1 else 0 end,
      'Reply ' || p.round || ' to thread ' || t.id || ': here is what we tried last term.',
      t.created_at + (p.round + 1) * interval '3 minutes'
    from (
      select id, (id - 1) % $3::int + 1 as thread_id, (id - 1) / $3::int as round,
        (id - 1) / $3::int between $2::int - 5 and $2::int - 1 as reply
      from generate_series(1, $4::int) id
    ) p
    join threads t on t.id = p.thread_id`,
    [users, rounds, threads, posts],
  );
  await tx`
    update threads t set reply_count = s.replies, last_activity_at = s.latest, updated_at = s.latest
    from (select thread_id, count(*)::int as replies, max(created_at) as latest
      from posts group by thread_id) s
    where s.thread_id = t.id`;
}

async function seedLiveSessions(tx: postgres.TransactionSql, sizes: SeedSizes) {
  await tx.unsafe(
    `insert into live_sessions (id, community_id, host_id, title, description, starts_at, ends_at,
      time_zone, status, started_at, ended_at, slow_mode_seconds, chat_sequence)
    overriding system value
    select s, c, ${OWNER_OF('c')}, 'Live session ' || s, 'Office hours with the community.',
      case when s = 1 then now() - interval '10 minutes'
        when s % 2 = 0 then now() + s * interval '1 day'
        else now() - s * interval '1 day' end,
      case when s = 1 then now() + interval '2 hours'
        when s % 2 = 0 then now() + s * interval '1 day' + interval '1 hour'
        else now() - s * interval '1 day' + interval '1 hour' end,
      'America/Chicago',
      case when s = 1 then 'live' when s % 2 = 0 then 'scheduled' else 'ended' end,
      case when s = 1 then now() - interval '5 minutes'
        when s % 2 = 1 then now() - s * interval '1 day' end,
      case when s > 1 and s % 2 = 1 then now() - s * interval '1 day' + interval '1 hour' end,
      0,
      case when s = 1 then $3::int else 0 end
    from generate_series(1, $1::int) s,
      lateral (select case when s = 1 then 1 else ((s - 1) % $2::int) + 1 end as c) community`,
    [sizes.liveSessions, sizes.communities, CHAT_MESSAGES],
  );
  await tx`
    insert into chat_messages (live_session_id, author_id, sequence, body, created_at)
    select 1, 1 + (n * 37) % ${sizes.users}::int, n, 'Chat message ' || n,
      now() - interval '5 minutes' + n * interval '1 second'
    from generate_series(1, ${CHAT_MESSAGES}::int) n`;
  await tx`
    insert into live_questions (live_session_id, author_id, body, created_at)
    select 1, 1 + (n * 53) % ${sizes.users}::int, 'Question ' || n || ': how does this scale?',
      now() - interval '4 minutes' + n * interval '1 second'
    from generate_series(1, ${QUESTIONS}::int) n`;
}

async function seedTokens(
  tx: postgres.TransactionSql,
  sizes: SeedSizes,
  prefix: string,
  hostToken: string,
) {
  // The server stores the hex SHA-256 of a token (server/auth/tokens.ts). last_used_at is fresh
  // so that a token's first use does not also write it.
  await tx`
    insert into auth_sessions (user_id, token_hash, kind, expires_at, last_used_at)
    select (i - 1) % ${sizes.users}::int + 1,
      encode(sha256(convert_to(${prefix}::text || i, 'UTF8')), 'hex'), 'bearer',
      now() + interval '30 days', now()
    from generate_series(1, ${sizes.tokens}::int) i
    union all
    select 1, encode(sha256(convert_to(${hostToken}::text, 'UTF8')), 'hex'), 'bearer',
      now() + interval '30 days', now()`;
}
