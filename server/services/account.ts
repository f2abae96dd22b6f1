import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../drizzle/db.ts';
import { authSessions, users } from '../../drizzle/tables/index.ts';
import type { Viewer } from '../auth/access.ts';
import { hashPassword, verifyAgainstDummy, verifyPassword } from '../auth/passwords.ts';
import { createToken, hashToken } from '../auth/tokens.ts';
import { ConflictError, InvalidCredentialsError } from '../errors.ts';
import { InputValidator } from '../validation.ts';

export const AUTH_SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

export type AuthSessionKind = 'cookie' | 'bearer';
export type UserRow = typeof users.$inferSelect;

export interface SignedIn {
  user: UserRow;
  token: string;
  expiresAt: Date;
  kind: AuthSessionKind;
}

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function validateEmail(validator: InputValidator, value: string): string {
  const email = validator.text('email', value, { max: 254 }).toLowerCase();
  if (email && !EMAIL_PATTERN.test(email)) {
    validator.add('email', `"${email.slice(0, 60)}" is not a valid email address`);
  }
  return email;
}

/**
 * Creates an account and signs it in. Returns ConflictError when the email is taken.
 */
export async function signUp(
  db: Database,
  input: { email: string; password: string; displayName: string; kind: AuthSessionKind },
): Promise<SignedIn> {
  const validator = new InputValidator();
  const email = validateEmail(validator, input.email);
  const displayName = validator.text('displayName', input.displayName, { max: 80 });
  if (input.password.length < 10) {
    validator.add('password', 'must be at least 10 characters');
  } else if (input.password.length > 256) {
    validator.add('password', 'must be at most 256 characters');
  } else if (input.password.includes('\u0000')) {
    validator.add('password', 'must not contain a NUL character');
  }
  validator.check();

  const passwordHash = await hashPassword(input.password);
  const [user] = await db
    .insert(users)
    .values({ email, displayName, passwordHash })
    .onConflictDoNothing()
    .returning();
  if (!user) {
    throw new ConflictError(`An account with the email ${email} already exists; sign in instead.`);
  }
  return createAuthSession(db, user, input.kind);
}

/**
 * Checks an email and password. An unknown email and a wrong password give the same
 * InvalidCredentialsError after about the same time.
 */
export async function signIn(
  db: Database,
  input: { email: string; password: string; kind: AuthSessionKind },
): Promise<SignedIn> {
  const validator = new InputValidator();
  const email = validateEmail(validator, input.email);
  if (input.password.length === 0) {
    validator.add('password', 'must not be empty');
  }
  validator.check();

  const [user] = await db
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = ${email}`)
    .limit(1);
  if (!user?.passwordHash) {
    // An unknown email, or an account that signs in only through single sign-on, costs the same
    // time as a wrong password.
    await verifyAgainstDummy(input.password);
    throw new InvalidCredentialsError();
  }
  if (!(await verifyPassword(user.passwordHash, input.password))) {
    throw new InvalidCredentialsError();
  }
  return createAuthSession(db, user, input.kind);
}

export async function createAuthSession(
  db: Database,
  user: UserRow,
  kind: AuthSessionKind,
): Promise<SignedIn> {
  const token = createToken();
  const expiresAt = new Date(Date.now() + AUTH_SESSION_TTL_MS);
  await db.insert(authSessions).values({
    userId: user.id,
    tokenHash: hashToken(token),
    kind,
    expiresAt: expiresAt.toISOString(),
  });
  return { user, token, expiresAt, kind };
}

/** Revokes the sign-in that the token belongs to; returns its id, or null when there was none. */
export async function signOut(db: Database, token: string): Promise<number | null> {
  const [revoked] = await db
    .update(authSessions)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(authSessions.tokenHash, hashToken(token)), isNull(authSessions.revokedAt)))
    .returning({ id: authSessions.id });
  return revoked?.id ?? null;
}

/** Topic on which a revoked sign-in is announced, so every process closes its sockets. */
export function authSessionTopic(authSessionId: number): string {
  return `auth-session:${authSessionId}`;
}

export interface Authenticated {
  viewer: Viewer;
  authSessionId: number;
  expiresAt: Date;
}

/** Resolves a session token to its viewer; null when unknown, expired or revoked. */
export async function authenticate(db: Database, token: string): Promise<Authenticated | null> {
  if (token.length < 20 || token.length > 200) {
    return null;
  }
  const [row] = await db
    .select({
      id: users.id,
      districtId: users.districtId,
      isPlatformAdmin: users.isPlatformAdmin,
      adminDistrictIds: sql<
        number[]
      >`array(select da.district_id from district_admins da where da.user_id = ${users.id})`,
      scopes: authSessions.scopes,
      authSessionId: authSessions.id,
      expiresAt: authSessions.expiresAt,
    })
    .from(authSessions)
    .innerJoin(users, eq(users.id, authSessions.userId))
    .where(
      and(
        eq(authSessions.tokenHash, hashToken(token)),
        isNull(authSessions.revokedAt),
        gt(authSessions.expiresAt, sql`now()`),
      ),
    )
    .limit(1);
  if (!row) {
    return null;
  }
  return {
    viewer: {
      id: row.id,
      districtId: row.districtId,
      isPlatformAdmin: row.isPlatformAdmin,
      adminDistrictIds: row.adminDistrictIds.map(Number),
      scopes: row.scopes,
    },
    authSessionId: row.authSessionId,
    expiresAt: new Date(row.expiresAt),
  };
}
