import { migrateDatabase, openDatabase } from '../drizzle/db.ts';
import { reseedDemoData } from '../drizzle/seed.ts';
import { hashPassword } from './auth/passwords.ts';
import { loadConfig } from './config.ts';
import { createLogger } from './log.ts';

// Replaces every row with the demo data, on the database the server would use.
const config = loadConfig();
const log = createLogger(config.logLevel);
const options = { url: config.databaseUrl, dataDir: config.dataDir };
const database = openDatabase(options);
try {
  const { applied } = await migrateDatabase(options, database);
  log.info({ applied }, 'Migrations applied');
  const summary = await reseedDemoData(database.db, { hashPassword });
  log.info(summary, 'Re-seeded demo data');
} catch (error) {
  log.fatal({ err: error }, 'Seeding failed');
  process.exitCode = 1;
} finally {
  await database.close();
}
