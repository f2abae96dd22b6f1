import { sql } from 'drizzle-orm';
import { openDatabase } from '../drizzle/db.ts';
import { searchPage } from '../server/services/search.ts';
import { createBenchDatabase, serverVersion } from './lib/database.ts';
import { median } from './lib/stats.ts';

// Measures one page of full-text search (server/services/search.ts) on the PostgreSQL server,
// signed out, for queries from rare to matching every reply. It fills a database of its own with
// 60 communities, 20,000 threads and 200,000 replies drawn from ten topic words, and drops it.
//   node --import tsx bench/search-cost.ts

const QUERIES = ['zanzibar', 'phonics', 'teaching fractions', '"lessons that worked"'];
const RUNS = 5;
const TOPICS = sql.raw(
  `('{fraction,ratio,geometry,reading,phonics,climate,robotics,drill,safety,coaching}'::text[])`,
);

const benchDatabase = await createBenchDatabase();
const database = openDatabase({ url: benchDatabase.url, dataDir: 'memory://' });
try {
  const { db } = database;
  await db.execute(sql`insert into users (email, display_name)
    select 'person' || g || '@search.example.org', 'Person ' || g from generate_series(1, 200) g`);
  await db.execute(sql`insert into communities (slug, name, description, focus, visibility)
    select 'community-' || g, 'Community ' || g, 'About ' || ${TOPICS}[1 + g % 10], 'stem',
      case when g % 3 = 0 then 'private' else 'public' end
    from generate_series(1, 60) g`);
  await db.execute(sql`insert into threads (community_id, author_id, title, body)
    select 1 + g % 60, 1 + g % 200, 'Thread on ' || ${TOPICS}[1 + g % 10] || ' ' || g,
      repeat('Some words about teaching and ' || ${TOPICS}[1 + (g * 7) % 10] || ' in class. ', 8)
    from generate_series(1, 20000) g`);
  // Every reply has "lessons that worked"; 40 of them have the rare word "zanzibar".
  await db.execute(sql`insert into posts (thread_id, author_id, body)
    select 1 + g % 20000, 1 + g % 200, 'A reply about ' || ${TOPICS}[1 + (g * 3) % 10]
      || ' and lessons that worked, number ' || g || '. '
      || case when g % 5000 = 0 then 'zanzibar' else '' end
    from generate_series(1, 200000) g`);
  await db.execute(sql`analyze`);

  console.log(`${await serverVersion()}, median of ${RUNS} runs of a page of 20`);
  const filter = { kinds: null, communityId: null, from: null, to: null };
  for (const query of QUERIES) {
    const firstPages: number[] = [];
    const secondPages: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      let started = performance.now();
      const page = await searchPage({ db, viewer: null }, query, filter, {
        first: 20,
        after: null,
      });
      firstPages.push(performance.now() - started);
      started = performance.now();
      const after = page.hits.at(-1)?.cursor ?? null;
      await searchPage({ db, viewer: null }, query, filter, { first: 20, after });
      secondPages.push(performance.now() - started);
    }
    console.log(
      `${query.padEnd(24)} page 1 ${median(firstPages).toFixed(1)} ms, page 2 ${median(secondPages).toFixed(1)} ms`,
    );
  }
} finally {
  await database.close();
  await benchDatabase.drop();
}
