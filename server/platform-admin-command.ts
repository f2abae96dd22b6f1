import { sql } from 'drizzle-orm';
import { migrateDatabase, openDatabase } from '../drizzle/db.ts';
import { accountTokens, users } from '../drizzle/tables/index.ts';
import { createToken, hashToken } from './auth/tokens.ts';
import { loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { recordAudit } from './services/audit.ts';
import { InputValidator, validateEmail } from './validation.ts';

/** How long the link printed for a new account lets its owner choose a password. */
const SETUP_LINK_TTL_MS = 24 * 60 * 60 * 1000;

const USAGE = `Usage: npm run platform-admin -- <email> [--revoke]

Makes the account with this email a platform admin, on the database the server would use
(DATABASE_URL, or the embedded database in DATA_DIR; stop the server first when it uses the
embedded one). Without such an account it creates one and prints a link, valid for 24 hours,
where its owner chooses a password. --revoke takes the role away.`;

// Creates or promotes a platform admin: the first one cannot be made through the API.
const args = process.argv.slice(2);
const revoke = args.includes('--revoke');
const positional = args.filter((arg) => !arg.startsWith('--'));
if (args.includes('--help')) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (positional.length !== 1 || args.some((arg) => arg.startsWith('--') && arg !== '--revoke')) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
const validator = new InputValidator();
const email = validateEmail(validator, positional[0] ?? '');
if (validator.issues.length > 0) {
  process.stderr.write(
    `${validator.issues.map((issue) => issue.message).join('; ')}\n\n${USAGE}\n`,
  );
  process.exit(2);
}

const config = loadConfig();
const log = createLogger(config.logLevel);
const options = { url: config.databaseUrl, dataDir: config.dataDir };
const database = openDatabase(options);
try {
  await migrateDatabase(options, database);
  const outcome = await database.db.transaction(async (tx) => {
    const [existing] = await tx
      .select({ id: users.id, isPlatformAdmin: users.isPlatformAdmin })
      .from(users)
      .where(sql`lower(${users.email}) = ${email}`);
    if (revoke) {
      if (!existing?.isPlatformAdmin) {
        return { message: `${email} is not a platform admin; nothing changed.` };
      }
      await tx
        .update(users)
        .set({ isPlatformAdmin: false })
        .where(sql`${users.id} = ${existing.id}`);
      await recordAudit(tx, {
        actorId: null,
        action: 'platform.admin_revoked',
        subjectUserId: existing.id,
        details: { via: 'command' },
      });
      return { message: `${email} is no longer a platform admin.` };
    }
    if (existing) {
      if (existing.isPlatformAdmin) {
        return { message: `${email} is already a platform admin; nothing changed.` };
      }
      await tx
        .update(users)
        .set({ isPlatformAdmin: true })
        .where(sql`${users.id} = ${existing.id}`);
      await recordAudit(tx, {
        actorId: null,
        action: 'platform.admin_granted',
        subjectUserId: existing.id,
        details: { via: 'command' },
      });
      return {
        message: `${email} is now a platform admin. Their sign-ins pick up the role at once.`,
      };
    }
    const [created] = await tx
      .insert(users)
      .values({
        email,
        displayName: email.slice(0, email.indexOf('@')).slice(0, 80) || 'Platform admin',
        passwordHash: null,
        isPlatformAdmin: true,
        // The link below goes to this address, so the person who opens it owns the mailbox.
        emailVerifiedAt: new Date().toISOString(),
      })
      .returning({ id: users.id });
    if (!created) {
      throw new Error('Creating the account returned no row');
    }
    const token = createToken();
    await tx.insert(accountTokens).values({
      userId: created.id,
      purpose: 'reset_password',
      tokenHash: hashToken(token),
      email,
      expiresAt: new Date(Date.now() + SETUP_LINK_TTL_MS).toISOString(),
    });
    await recordAudit(tx, {
      actorId: null,
      action: 'platform.admin_granted',
      subjectUserId: created.id,
      details: { via: 'command', created: true },
    });
    const link = `${config.publicUrl}/reset-password?token=${encodeURIComponent(token)}`;
    return {
      message: `Created the platform admin account ${email}. Open this link within 24 hours to choose its password:\n${link}`,
    };
  });
  process.stdout.write(`${outcome.message}\n`);
} catch (error) {
  log.fatal({ err: error }, 'Making a platform admin failed');
  process.exitCode = 1;
} finally {
  await database.close();
}
