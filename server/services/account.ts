import { and, eq, gt, inArray, isNull, ne, type SQL, sql } from 'drizzle-orm';
import type { Database, Executor } from '../../drizzle/db.ts';
import {
  accountTokens,
  authSessions,
  chatMessages,
  communities,
  districtAdmins,
  districts,
  liveQuestions,
  mailOutbox,
  memberships,
  postRevisions,
  posts,
  threads,
  users,
} from '../../drizzle/tables/index.ts';
import { type ApiScope, canWrite, type Viewer } from '../auth/access.ts';
import { hashPassword, verifyAgainstDummy, verifyPassword } from '../auth/passwords.ts';
import {
  consumeRateLimit,
  consumeRateLimits,
  RATE_LIMITS,
  type RateLimitRule,
  refundRateLimits,
} from '../auth/rate-limit.ts';
import { createToken, hashToken } from '../auth/tokens.ts';
import {
  ConflictError,
  ForbiddenError,
  InvalidCredentialsError,
  NotFoundError,
  ValidationError,
} from '../errors.ts';
import {
  passwordChangedMail,
  passwordResetMail,
  singleSignOnOnlyMail,
  verificationMail,
} from '../mail/messages.ts';
import { queueMail } from '../mail/outbox.ts';
import { InputValidator, validateEmail } from '../validation.ts';
import { recordAudit } from './audit.ts';
import { requireViewer, runInTransaction, type ServiceContext, topics } from './context.ts';
import { districtForEmail } from './district.ts';

export const AUTH_SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
export const VERIFY_EMAIL_TTL_MS = 48 * 60 * 60 * 1000;
export const RESET_PASSWORD_TTL_MS = 60 * 60 * 1000;
/** The shortest time requestPasswordReset takes, so that known and unknown emails look alike. */
const PASSWORD_RESET_REQUEST_MIN_MS = 250;
/** Personal API tokens one person may hold at once. */
export const MAX_API_TOKENS = 50;
/** lastUsedAt of a sign-in is written at most this often, to keep requests free of writes. */
const LAST_USED_RESOLUTION_SECONDS = 60;

export type AuthSessionKind = 'cookie' | 'bearer';
export type UserRow = typeof users.$inferSelect;
export type AuthSessionRow = typeof authSessions.$inferSelect;

export interface SignedIn {
  user: UserRow;
  token: string;
  expiresAt: Date;
  kind: AuthSessionKind;
}

/** Request state that account actions need besides the service context. */
export interface AccountContext extends ServiceContext {
  /** The client's address, for rate limits. */
  clientAddress: string;
  userAgent: string | null;
  /** The sign-in this request was authenticated with, if any. */
  authSessionId: number | null;
  /** The address users open, for links in mail. */
  publicUrl: string;
}

function validateNewPassword(validator: InputValidator, path: string, password: string): void {
  if (password.length < 10) {
    validator.add(path, 'must be at least 10 characters');
  } else if (password.length > 256) {
    validator.add(path, 'must be at most 256 characters');
  } else if (password.includes('\u0000')) {
    validator.add(path, 'must not contain a NUL character');
  }
}

const rateLimitKey = {
  signInAccount: (email: string) => `sign-in:account:${email}`,
  signInAccountAndAddress: (email: string, address: string) =>
    `sign-in:account-address:${email}:${address}`,
  signInAddress: (address: string) => `sign-in:address:${address}`,
  signUpAddress: (address: string) => `sign-up:address:${address}`,
  mailAccount: (email: string) => `mail:account:${email.toLowerCase()}`,
  mailAddress: (address: string) => `mail:address:${address}`,
  tokenAddress: (address: string) => `token:address:${address}`,
  passwordCheck: (userId: number) => `password-check:account:${userId}`,
};

/**
 * Creates an account, signs it in and sends a mail to verify the address. The account joins no
 * district here: only a verified email (verifyEmail) or the district's single sign-on does that.
 * Returns ConflictError when the email is taken and RateLimitedError after too many sign-ups
 * from one address.
 */
export async function signUp(
  ctx: AccountContext,
  input: { email: string; password: string; displayName: string; kind: AuthSessionKind },
): Promise<SignedIn> {
  const validator = new InputValidator();
  const email = validateEmail(validator, input.email);
  const displayName = validator.text('displayName', input.displayName, { max: 80 });
  validateNewPassword(validator, 'password', input.password);
  validator.check();

  await consumeRateLimit(
    ctx.db,
    rateLimitKey.signUpAddress(ctx.clientAddress),
    RATE_LIMITS.signUpPerAddress,
  );
  const passwordHash = await hashPassword(input.password);
  return ctx.db.transaction(async (tx) => {
    const [user] = await tx
      .insert(users)
      .values({ email, displayName, passwordHash })
      .onConflictDoNothing()
      .returning();
    if (!user) {
      // NOTE: this reveals whether an address has an account, which signIn and
      // requestPasswordReset do not. The sign-up limit per address (20 an hour) slows probing.
      throw new ConflictError(
        `An account with the email ${email} already exists; sign in instead.`,
      );
    }
    await sendVerificationMail(ctx, tx, user);
    await recordAudit(tx, { actorId: user.id, action: 'account.created', subjectUserId: user.id });
    return createAuthSession(tx, user, input.kind, { userAgent: ctx.userAgent });
  });
}

/**
 * Checks an email and password. An unknown email and a wrong password give the same
 * InvalidCredentialsError after about the same time. Each attempt counts against the email and
 * the client address before the password is checked, so guessing ends in RateLimitedError.
 */
export async function signIn(
  ctx: AccountContext,
  input: { email: string; password: string; kind: AuthSessionKind },
): Promise<SignedIn> {
  const validator = new InputValidator();
  const email = validateEmail(validator, input.email);
  if (input.password.length === 0) {
    validator.add('password', 'must not be empty');
  }
  validator.check();

  const limits: [string, RateLimitRule][] = [
    [
      rateLimitKey.signInAccountAndAddress(email, ctx.clientAddress),
      RATE_LIMITS.signInPerAccountAndAddress,
    ],
    [rateLimitKey.signInAccount(email), RATE_LIMITS.signInPerAccount],
    [rateLimitKey.signInAddress(ctx.clientAddress), RATE_LIMITS.signInPerAddress],
  ];
  // Every attempt counts while the password is checked, so parallel guesses cannot slip past the
  // limit. A successful one is given back below, so that staff behind one school address who
  // sign in correctly never lock each other out.
  await consumeRateLimits(ctx.db, limits);
  const [user] = await ctx.db
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
  await refundRateLimits(
    ctx.db,
    limits.map(([key]) => key),
  );
  return createAuthSession(ctx.db, user, input.kind, { userAgent: ctx.userAgent });
}

export async function createAuthSession(
  db: Executor,
  user: UserRow,
  kind: AuthSessionKind,
  options: { userAgent?: string | null } = {},
): Promise<SignedIn> {
  const token = createToken();
  const expiresAt = new Date(Date.now() + AUTH_SESSION_TTL_MS);
  await db.insert(authSessions).values({
    userId: user.id,
    tokenHash: hashToken(token),
    kind,
    userAgent: options.userAgent ?? null,
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

/** Announces revoked sign-ins, so that every process closes their sockets. */
export function publishRevoked(ctx: ServiceContext, authSessionIds: number[]): void {
  if (authSessionIds.length > 0) {
    // Control notices, not event rows: no subscriber replays them.
    ctx.publish(authSessionIds.map((id) => ({ id: 0, topic: authSessionTopic(id) })));
  }
}

/** Revokes the user's live credentials that match `condition`; returns their ids. */
async function revokeAuthSessions(
  tx: Executor,
  userId: number,
  condition?: SQL,
): Promise<number[]> {
  const revoked = await tx
    .update(authSessions)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(authSessions.userId, userId), isNull(authSessions.revokedAt), condition))
    .returning({ id: authSessions.id });
  return revoked.map(({ id }) => id);
}

export interface Authenticated {
  viewer: Viewer;
  authSessionId: number;
  expiresAt: Date;
  kind: (typeof authSessions.$inferSelect)['kind'];
  /** For a widget sign-in: the embed key and the page origin it is bound to. */
  widget: { embedKeyId: number; origin: string } | null;
}

/**
 * Resolves a session token to its viewer; null when unknown, expired or revoked. Records when
 * the sign-in was last used, at most once a minute.
 */
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
      kind: authSessions.kind,
      embedKeyId: authSessions.embedKeyId,
      origin: authSessions.origin,
      lastUsedIsStale: sql<boolean>`coalesce(${authSessions.lastUsedAt} < now() - make_interval(secs => ${LAST_USED_RESOLUTION_SECONDS}), true)`,
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
  if (row.lastUsedIsStale) {
    await db
      .update(authSessions)
      .set({ lastUsedAt: sql`now()` })
      .where(eq(authSessions.id, row.authSessionId));
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
    kind: row.kind,
    widget:
      row.embedKeyId !== null && row.origin !== null
        ? { embedKeyId: row.embedKeyId, origin: row.origin }
        : null,
  };
}

/** Rejects a read-only API token; account changes need the write scope. */
function requireWriter(ctx: ServiceContext): Viewer {
  const viewer = requireViewer(ctx);
  if (!canWrite(viewer)) {
    throw new ForbiddenError('This API token is read-only; use a token with the WRITE scope.');
  }
  return viewer;
}

async function loadUser(db: Executor, userId: number): Promise<UserRow> {
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user) {
    throw new NotFoundError(`User ${userId} not found.`);
  }
  return user;
}

/** Stores a new single-use token for the user and returns it; only its hash is kept. */
async function issueAccountToken(
  tx: Executor,
  user: UserRow,
  purpose: 'verify_email' | 'reset_password',
  ttlMs: number,
): Promise<string> {
  // A new link replaces the ones sent before, so that only the latest mail works.
  await tx
    .delete(accountTokens)
    .where(
      and(
        eq(accountTokens.userId, user.id),
        eq(accountTokens.purpose, purpose),
        isNull(accountTokens.usedAt),
      ),
    );
  const token = createToken();
  await tx.insert(accountTokens).values({
    userId: user.id,
    purpose,
    tokenHash: hashToken(token),
    email: user.email,
    expiresAt: new Date(Date.now() + ttlMs).toISOString(),
  });
  return token;
}

async function sendVerificationMail(ctx: AccountContext, tx: Executor, user: UserRow) {
  const token = await issueAccountToken(tx, user, 'verify_email', VERIFY_EMAIL_TTL_MS);
  await queueMail(
    tx,
    verificationMail({
      to: user.email,
      displayName: user.displayName,
      link: `${ctx.publicUrl}/verify-email?token=${token}`,
      validHours: VERIFY_EMAIL_TTL_MS / 3_600_000,
    }),
  );
}

const INVALID_LINK = 'The link is invalid, expired or already used; ask for a new one.';

/**
 * Marks an unused, unexpired token as used and returns it with its user, or throws a
 * ValidationError on `token`. A token sent to an address the account no longer has is invalid.
 * Run it in the transaction that acts on the token, so that two requests cannot both use it.
 */
async function useAccountToken(
  tx: Executor,
  token: string,
  purpose: 'verify_email' | 'reset_password',
): Promise<UserRow> {
  const [used] = await tx
    .update(accountTokens)
    .set({ usedAt: sql`now()` })
    .where(
      and(
        eq(accountTokens.tokenHash, hashToken(token)),
        eq(accountTokens.purpose, purpose),
        isNull(accountTokens.usedAt),
        gt(accountTokens.expiresAt, sql`now()`),
      ),
    )
    .returning();
  const user = used ? await loadUser(tx, used.userId).catch(() => null) : null;
  if (!used || !user || user.email.toLowerCase() !== used.email.toLowerCase()) {
    throw ValidationError.of('token', INVALID_LINK);
  }
  return user;
}

function checkTokenShape(token: string): void {
  if (token.length < 20 || token.length > 200) {
    throw ValidationError.of('token', INVALID_LINK);
  }
}

/**
 * Confirms the address that a verification mail went to. The account becomes staff of the
 * district whose verified domain matches the address, unless it already belongs to a district.
 */
export async function verifyEmail(ctx: AccountContext, input: { token: string }): Promise<UserRow> {
  await consumeRateLimit(
    ctx.db,
    rateLimitKey.tokenAddress(ctx.clientAddress),
    RATE_LIMITS.tokenPerAddress,
  );
  checkTokenShape(input.token);
  return ctx.db.transaction(async (tx) => {
    const user = await useAccountToken(tx, input.token, 'verify_email');
    const districtId = user.districtId ?? (await districtForEmail(tx, user.email));
    const [verified] = await tx
      .update(users)
      .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())`, districtId })
      .where(eq(users.id, user.id))
      .returning();
    await recordAudit(tx, {
      actorId: user.id,
      action: 'account.email_verified',
      subjectUserId: user.id,
      districtId: districtId !== user.districtId ? districtId : null,
    });
    return verified ?? user;
  });
}

/** Sends a new verification mail, replacing the earlier link. ConflictError once verified. */
export async function resendVerificationEmail(ctx: AccountContext): Promise<UserRow> {
  const viewer = requireWriter(ctx);
  const user = await loadUser(ctx.db, viewer.id);
  if (user.emailVerifiedAt) {
    throw new ConflictError(`The address ${user.email} is already verified.`);
  }

  await consumeRateLimits(ctx.db, [
    [rateLimitKey.mailAccount(user.email), RATE_LIMITS.mailPerAccount],
    [rateLimitKey.mailAddress(ctx.clientAddress), RATE_LIMITS.mailPerAddress],
  ]);
  await ctx.db.transaction(async (tx) => {
    await sendVerificationMail(ctx, tx, user);
    await recordAudit(tx, {
      actorId: user.id,
      action: 'account.verification_sent',
      subjectUserId: user.id,
    });
  });
  return user;
}

/**
 * Mails a single-use password reset link (valid one hour) when the email belongs to an account.
 * The result is the same whether or not it does, and both cases take at least
 * PASSWORD_RESET_REQUEST_MIN_MS, so the response time gives little away.
 * An account that signs in only through single sign-on gets a mail saying so instead of a link.
 */
export async function requestPasswordReset(
  ctx: AccountContext,
  input: { email: string },
): Promise<void> {
  const startedAt = Date.now();
  const validator = new InputValidator();
  const email = validateEmail(validator, input.email);
  validator.check();

  await consumeRateLimits(ctx.db, [
    [rateLimitKey.mailAccount(email), RATE_LIMITS.mailPerAccount],
    [rateLimitKey.mailAddress(ctx.clientAddress), RATE_LIMITS.mailPerAddress],
  ]);
  await ctx.db.transaction(async (tx) => {
    const [user] = await tx
      .select()
      .from(users)
      .where(sql`lower(${users.email}) = ${email}`)
      .limit(1);
    if (!user) {
      return;
    }
    if (user.passwordHash) {
      const token = await issueAccountToken(tx, user, 'reset_password', RESET_PASSWORD_TTL_MS);
      const link = `${ctx.publicUrl}/reset-password?token=${token}`;
      await queueMail(
        tx,
        passwordResetMail({ to: user.email, link, validMinutes: RESET_PASSWORD_TTL_MS / 60_000 }),
      );
    } else {
      await queueMail(tx, singleSignOnOnlyMail({ to: user.email, publicUrl: ctx.publicUrl }));
    }
    await recordAudit(tx, {
      actorId: null,
      action: 'account.password_reset_requested',
      subjectUserId: user.id,
    });
  });
  const remainingMs = PASSWORD_RESET_REQUEST_MIN_MS - (Date.now() - startedAt);
  if (remainingMs > 0) {
    await new Promise((resolve) => setTimeout(resolve, remainingMs));
  }
}

/**
 * Sets a new password with a reset token. The token works once and for one hour. Every sign-in
 * and API token of the account is revoked, and their sockets are closed.
 */
export async function resetPassword(
  ctx: AccountContext,
  input: { token: string; newPassword: string },
): Promise<UserRow> {
  const validator = new InputValidator();
  validateNewPassword(validator, 'newPassword', input.newPassword);
  validator.check();

  await consumeRateLimit(
    ctx.db,
    rateLimitKey.tokenAddress(ctx.clientAddress),
    RATE_LIMITS.tokenPerAddress,
  );
  checkTokenShape(input.token);
  // Hashing takes tens of milliseconds, so it runs before the transaction that uses the token.
  const passwordHash = await hashPassword(input.newPassword);
  const { user, revokedIds } = await ctx.db.transaction(async (tx) => {
    const user = await useAccountToken(tx, input.token, 'reset_password');
    await tx.update(users).set({ passwordHash }).where(eq(users.id, user.id));
    const revokedIds = await revokeAuthSessions(tx, user.id);
    await recordAudit(tx, {
      actorId: user.id,
      action: 'account.password_reset',
      subjectUserId: user.id,
      details: { revokedSignIns: revokedIds.length },
    });
    return { user, revokedIds };
  });
  publishRevoked(ctx, revokedIds);
  return user;
}

/**
 * Changes the viewer's password after checking the current one, and ends their other browser
 * and bearer sign-ins. API tokens stay. Returns InvalidCredentialsError for a wrong current
 * password and RateLimitedError after too many checks.
 */
export async function changePassword(
  ctx: AccountContext,
  input: { currentPassword: string; newPassword: string },
): Promise<UserRow> {
  const viewer = requireWriter(ctx);
  const validator = new InputValidator();
  if (input.currentPassword.length === 0) {
    validator.add('currentPassword', 'must not be empty');
  }
  validateNewPassword(validator, 'newPassword', input.newPassword);
  validator.check();

  const user = await loadUser(ctx.db, viewer.id);
  if (!user.passwordHash) {
    throw new ConflictError(
      "This account signs in through its district's single sign-on and has no password to change.",
    );
  }
  await checkPassword(ctx, user.id, user.passwordHash, input.currentPassword);
  const passwordHash = await hashPassword(input.newPassword);
  const revokedIds = await ctx.db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash }).where(eq(users.id, user.id));
    const revokedIds = await revokeAuthSessions(tx, user.id, otherSignIns(ctx.authSessionId));
    await queueMail(tx, passwordChangedMail({ to: user.email, publicUrl: ctx.publicUrl }));
    await recordAudit(tx, {
      actorId: user.id,
      action: 'account.password_changed',
      subjectUserId: user.id,
      details: { revokedSignIns: revokedIds.length },
    });
    return revokedIds;
  });
  publishRevoked(ctx, revokedIds);
  return user;
}

/** Counts a password check against the account, then throws unless the password matches. */
async function checkPassword(
  ctx: AccountContext,
  userId: number,
  passwordHash: string,
  password: string,
): Promise<void> {
  await consumeRateLimit(
    ctx.db,
    rateLimitKey.passwordCheck(userId),
    RATE_LIMITS.passwordCheckPerAccount,
  );
  if (!(await verifyPassword(passwordHash, password))) {
    throw new InvalidCredentialsError();
  }
}

/** Browser, bearer and widget sign-ins other than `currentId`. */
function otherSignIns(currentId: number | null): SQL | undefined {
  return and(
    inArray(authSessions.kind, ['cookie', 'bearer', 'widget']),
    currentId === null ? undefined : ne(authSessions.id, currentId),
  );
}

/**
 * Ends every browser, bearer and widget sign-in of the viewer, this one included, and closes
 * their sockets. API tokens stay. Returns how many sign-ins ended.
 */
export async function signOutEverywhere(ctx: AccountContext): Promise<number> {
  const viewer = requireViewer(ctx);
  const revokedIds = await ctx.db.transaction(async (tx) => {
    const revokedIds = await revokeAuthSessions(
      tx,
      viewer.id,
      ctx.authSessionId === null
        ? otherSignIns(null)
        : sql`(${otherSignIns(null)} or ${authSessions.id} = ${ctx.authSessionId})`,
    );
    await recordAudit(tx, {
      actorId: viewer.id,
      action: 'account.signed_out_everywhere',
      subjectUserId: viewer.id,
      details: { revokedSignIns: revokedIds.length },
    });
    return revokedIds;
  });
  publishRevoked(ctx, revokedIds);
  return revokedIds.length;
}

/**
 * Lists the user's browser and bearer sign-ins that have not ended, most recently used first.
 * NOTE: widget sign-ins are not listed, so they end only by expiry, signing out everywhere, a
 * password change or revoking their embed key.
 */
export async function listSignIns(db: Executor, userId: number): Promise<AuthSessionRow[]> {
  return db
    .select()
    .from(authSessions)
    .where(
      and(
        eq(authSessions.userId, userId),
        inArray(authSessions.kind, ['cookie', 'bearer']),
        isNull(authSessions.revokedAt),
        gt(authSessions.expiresAt, sql`now()`),
      ),
    )
    .orderBy(sql`coalesce(${authSessions.lastUsedAt}, ${authSessions.createdAt}) desc`);
}

/** Lists the user's personal API tokens that have not ended, newest first. */
export async function listApiTokens(db: Executor, userId: number): Promise<AuthSessionRow[]> {
  return db
    .select()
    .from(authSessions)
    .where(
      and(
        eq(authSessions.userId, userId),
        eq(authSessions.kind, 'api_token'),
        isNull(authSessions.revokedAt),
        gt(authSessions.expiresAt, sql`now()`),
      ),
    )
    .orderBy(sql`${authSessions.id} desc`);
}

/**
 * Creates a personal API token and returns it with the secret, which is never shown again.
 * Only a browser or bearer sign-in with the write scope may create one, so a leaked token cannot
 * mint more. Returns ForbiddenError otherwise and ConflictError past MAX_API_TOKENS.
 */
export async function createApiToken(
  ctx: AccountContext,
  input: { name: string; scopes: readonly ApiScope[]; expiresInDays: number },
): Promise<{ token: string; apiToken: AuthSessionRow }> {
  const viewer = requireWriter(ctx);
  const validator = new InputValidator();
  const name = validator.text('name', input.name, { max: 80 });
  const scopes = [...new Set(input.scopes)];
  if (scopes.length === 0) {
    validator.add('scopes', 'must name at least one scope');
  }
  if (!Number.isInteger(input.expiresInDays) || input.expiresInDays < 1) {
    validator.add('expiresInDays', 'must be a whole number of days from 1 to 365');
  } else if (input.expiresInDays > 365) {
    validator.add('expiresInDays', 'must be a whole number of days from 1 to 365');
  }
  validator.check();

  const [current] =
    ctx.authSessionId === null
      ? []
      : await ctx.db.select().from(authSessions).where(eq(authSessions.id, ctx.authSessionId));
  if (!current || current.kind === 'api_token') {
    throw new ForbiddenError(
      'API tokens can be created only from a browser or bearer sign-in, not with another API token.',
    );
  }
  const token = createToken();
  const apiToken = await ctx.db.transaction(async (tx) => {
    // The user's row lock serializes concurrent creations, so the count below stays true.
    await tx.select({ id: users.id }).from(users).where(eq(users.id, viewer.id)).for('update');
    const active = await listApiTokens(tx, viewer.id);
    if (active.length >= MAX_API_TOKENS) {
      throw new ConflictError(
        `You already have ${MAX_API_TOKENS} API tokens; revoke one before creating another.`,
      );
    }
    const [row] = await tx
      .insert(authSessions)
      .values({
        userId: viewer.id,
        tokenHash: hashToken(token),
        kind: 'api_token',
        name,
        scopes,
        userAgent: ctx.userAgent,
        expiresAt: new Date(Date.now() + input.expiresInDays * 86_400_000).toISOString(),
      })
      .returning();
    if (!row) {
      throw new Error(`Creating API token "${name}" for user ${viewer.id} returned no row`);
    }
    await recordAudit(tx, {
      actorId: viewer.id,
      action: 'account.api_token_created',
      subjectUserId: viewer.id,
      details: { apiTokenId: row.id, name, scopes, expiresAt: row.expiresAt },
    });
    return row;
  });
  return { token, apiToken };
}

/**
 * Revokes one of the viewer's own sign-ins (`kind: 'sign_in'`) or API tokens and closes its
 * sockets. Another person's id, or one already revoked, is a NotFoundError.
 */
export async function revokeAuthSession(
  ctx: AccountContext,
  input: { id: number; kind: 'sign_in' | 'api_token' },
): Promise<AuthSessionRow> {
  const viewer = requireViewer(ctx);
  const revoked = await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .update(authSessions)
      .set({ revokedAt: sql`now()` })
      .where(
        and(
          eq(authSessions.id, input.id),
          eq(authSessions.userId, viewer.id),
          isNull(authSessions.revokedAt),
          input.kind === 'api_token'
            ? eq(authSessions.kind, 'api_token')
            : inArray(authSessions.kind, ['cookie', 'bearer']),
        ),
      )
      .returning();
    if (!row) {
      throw new NotFoundError(
        input.kind === 'api_token' ? 'API token not found.' : 'Sign-in not found.',
      );
    }
    await recordAudit(tx, {
      actorId: viewer.id,
      action: input.kind === 'api_token' ? 'account.api_token_revoked' : 'account.sign_in_revoked',
      subjectUserId: viewer.id,
      details: { authSessionId: row.id },
    });
    return row;
  });
  publishRevoked(ctx, [revoked.id]);
  return revoked;
}

/** Changes the viewer's display name, bio and whether their badges show to others. */
export async function updateProfile(
  ctx: AccountContext,
  input: { displayName?: string | null; bio?: string | null; badgesPublic?: boolean | null },
): Promise<UserRow> {
  const viewer = requireWriter(ctx);
  const validator = new InputValidator();
  const displayName = validator.optionalText('displayName', input.displayName, { max: 80 });
  const bio =
    input.bio === null || input.bio === undefined
      ? undefined
      : validator.text('bio', input.bio, { min: 0, max: 2000, multiline: true });
  validator.check();

  const changes = {
    ...(displayName !== undefined && { displayName }),
    ...(bio !== undefined && { bio }),
    ...(typeof input.badgesPublic === 'boolean' && { badgesPublic: input.badgesPublic }),
  };
  if (Object.keys(changes).length === 0) {
    return loadUser(ctx.db, viewer.id);
  }
  return ctx.db.transaction(async (tx) => {
    const [user] = await tx.update(users).set(changes).where(eq(users.id, viewer.id)).returning();
    if (!user) {
      throw new NotFoundError(`User ${viewer.id} not found.`);
    }
    await recordAudit(tx, {
      actorId: viewer.id,
      action: 'account.profile_updated',
      subjectUserId: viewer.id,
      details: { fields: Object.keys(changes) },
    });
    return user;
  });
}

/** Communities in which the user is the only active owner while others are active members. */
async function soleOwnedCommunities(tx: Executor, userId: number) {
  return tx
    .select({ id: communities.id, name: communities.name })
    .from(memberships)
    .innerJoin(communities, eq(communities.id, memberships.communityId))
    .where(
      and(
        eq(memberships.userId, userId),
        eq(memberships.role, 'owner'),
        eq(memberships.status, 'active'),
        sql`not exists (select 1 from memberships o where o.community_id = ${memberships.communityId} and o.user_id <> ${userId} and o.role = 'owner' and o.status = 'active')`,
        sql`exists (select 1 from memberships m where m.community_id = ${memberships.communityId} and m.user_id <> ${userId} and m.status = 'active')`,
      ),
    )
    .orderBy(communities.name);
}

/**
 * Deletes the viewer's account. A password account confirms with its password, an account that
 * signs in only through single sign-on with its email. Threads, posts and chat messages stay
 * with no author (shown as a deleted user); with `erasePosts` their text is erased too. Returns
 * ConflictError, naming the communities, while the person is the only owner of a community
 * with other members.
 */
export async function deleteAccount(
  ctx: AccountContext,
  input: { password?: string | null; email?: string | null; erasePosts: boolean },
): Promise<{ userId: number; erasedPosts: number }> {
  const viewer = requireWriter(ctx);
  const user = await loadUser(ctx.db, viewer.id);
  await confirmDeletion(ctx, user, input);

  // NOTE: a community whose only active member is this owner stays behind with no owner, and no
  // one can change its settings afterwards.
  const blocking = await soleOwnedCommunities(ctx.db, user.id);
  if (blocking.length > 0) {
    throw soleOwnerConflict(blocking);
  }
  const adminOf = await soleAdministeredDistricts(ctx.db, user.id);
  if (adminOf.length > 0) {
    throw soleAdminConflict(adminOf);
  }
  const { revokedIds, erasedPosts } = await runInTransaction(ctx, async (tx, recorder) => {
    await tx.select({ id: users.id }).from(users).where(eq(users.id, user.id)).for('update');
    // Checked again under the lock: another owner may have left since the check above.
    const stillBlocking = await soleOwnedCommunities(tx, user.id);
    if (stillBlocking.length > 0) {
      throw soleOwnerConflict(stillBlocking);
    }
    const stillAdminOf = await soleAdministeredDistricts(tx, user.id);
    if (stillAdminOf.length > 0) {
      throw soleAdminConflict(stillAdminOf);
    }
    const revokedIds = await revokeAuthSessions(tx, user.id);
    const erased = input.erasePosts ? await eraseWriting(tx, user.id) : [];
    for (const post of erased) {
      await recorder.record(topics.thread(post.threadId), 'post_deleted', { postId: post.id });
    }
    await recordAudit(tx, {
      actorId: user.id,
      action: 'account.deleted',
      subjectUserId: user.id,
      details: { userId: user.id, erasedPosts: input.erasePosts },
    });
    // Mail already sent to the address contains personal data and old links, so it goes too.
    await tx
      .delete(mailOutbox)
      .where(sql`lower(${mailOutbox.recipient}) = ${user.email.toLowerCase()}`);
    // Foreign keys do the rest: memberships, sign-ins, tokens, reactions, RSVPs, awards,
    // notifications and identities are deleted with the row, and authorship becomes null.
    await tx.delete(users).where(eq(users.id, user.id));
    return { revokedIds, erasedPosts: erased.length };
  });
  publishRevoked(ctx, revokedIds);
  return { userId: user.id, erasedPosts };
}

async function confirmDeletion(
  ctx: AccountContext,
  user: UserRow,
  input: { password?: string | null; email?: string | null },
): Promise<void> {
  const typedEmail = input.email?.trim().toLowerCase();
  if (typedEmail && typedEmail !== user.email.toLowerCase()) {
    throw ValidationError.of(
      'email',
      "must be this account's email address, typed out to confirm the deletion",
    );
  }
  if (user.passwordHash) {
    if (!input.password) {
      throw ValidationError.of('password', 'must be your current password');
    }
    await checkPassword(ctx, user.id, user.passwordHash, input.password);
    return;
  }
  if (input.email?.trim().toLowerCase() !== user.email.toLowerCase()) {
    throw ValidationError.of(
      'email',
      "must be this account's email address, typed out to confirm the deletion",
    );
  }
}

/** Districts whose only admin the user is. */
async function soleAdministeredDistricts(tx: Executor, userId: number) {
  return tx
    .select({ id: districts.id, name: districts.name })
    .from(districtAdmins)
    .innerJoin(districts, eq(districts.id, districtAdmins.districtId))
    .where(
      and(
        eq(districtAdmins.userId, userId),
        sql`not exists (select 1 from district_admins o where o.district_id = ${districtAdmins.districtId} and o.user_id <> ${userId})`,
      ),
    )
    .orderBy(districts.name);
}

function soleAdminConflict(districtsAdministered: { name: string }[]): ConflictError {
  const names = districtsAdministered.map((district) => `"${district.name}"`).join(', ');
  return new ConflictError(
    `You are the only admin of ${names}; add another admin first, so the district is not left without one.`,
  );
}

function soleOwnerConflict(blocking: { name: string }[]): ConflictError {
  const names = blocking.map((community) => `"${community.name}"`).join(', ');
  return new ConflictError(
    `You are the only owner of ${names}, which has other members; make one of them an owner first, or remove them.`,
  );
}

/**
 * Erases the text the user wrote: posts become deleted with a placeholder body and no
 * revisions, threads keep their replies under a placeholder title with an empty body, and chat
 * messages are removed. Returns the erased posts.
 */
async function eraseWriting(
  tx: Executor,
  userId: number,
): Promise<{ id: number; threadId: number }[]> {
  await tx
    .delete(postRevisions)
    .where(
      inArray(
        postRevisions.postId,
        tx.select({ id: posts.id }).from(posts).where(eq(posts.authorId, userId)),
      ),
    );
  const erased = await tx
    .update(posts)
    .set({ body: '[deleted]', deletedAt: sql`coalesce(${posts.deletedAt}, now())` })
    .where(eq(posts.authorId, userId))
    .returning({ id: posts.id, threadId: posts.threadId });
  await tx
    .update(threads)
    .set({ title: '[deleted]', body: '' })
    .where(eq(threads.authorId, userId));
  // Chat messages keep their rows, blanked, so that each session's sequence has no holes.
  await tx
    .update(chatMessages)
    .set({ body: '', deletedAt: sql`coalesce(${chatMessages.deletedAt}, now())` })
    .where(eq(chatMessages.authorId, userId));
  await tx.delete(liveQuestions).where(eq(liveQuestions.authorId, userId));
  return erased;
}
