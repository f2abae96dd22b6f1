import { and, eq, lt, sql } from 'drizzle-orm';
import * as client from 'openid-client';
import type { Database, Executor } from '../../drizzle/db.ts';
import {
  districts,
  oidcLoginStates,
  oidcProviders,
  userIdentities,
  users,
} from '../../drizzle/tables/index.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { createAuthSession, type SignedIn, type UserRow } from '../services/account.ts';
import { recordAudit } from '../services/audit.ts';
import { requireViewer, runInTransaction, type ServiceContext } from '../services/context.ts';
import { districtForEmail } from '../services/district.ts';
import { InputValidator } from '../validation.ts';
import { canAdministerDistrict } from './access.ts';
import { nonPublicAddressOf } from './public-address.ts';
import type { SecretBox } from './secret-box.ts';
import { hashToken } from './tokens.ts';

export type OidcProviderRow = typeof oidcProviders.$inferSelect;
type DistrictRow = typeof districts.$inferSelect;

/** Reason code of a failed sign-in through a district's provider, sent to the sign-in page as `ssoError`. */
export type SsoErrorCode =
  | 'invalid_state'
  | 'provider_error'
  | 'invalid_response'
  | 'account_exists'
  | 'disabled';

/** A failed single sign-on. Its `message` goes to the log, and the browser gets only `code`. */
export class SsoSignInError extends Error {
  override name = 'SsoSignInError';

  constructor(
    readonly code: SsoErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Server settings that single sign-on needs. */
export interface SsoSettings {
  /** PUBLIC_URL without a trailing slash; the redirect URI is `${publicUrl}/auth/sso/callback`. */
  publicUrl: string;
  secretBox: SecretBox;
}

/** How long a started sign-in may take to come back from the provider. */
export const LOGIN_STATE_TTL_MS = 10 * 60 * 1000;

/** Seconds that each request to a provider may take: discovery, token and userinfo. */
const PROVIDER_TIMEOUT_SECONDS = 10;

/** How long discovered provider metadata (and the keys fetched with it) is reused. */
const DISCOVERY_CACHE_MS = 10 * 60 * 1000;
const DISCOVERY_CACHE_MAX_ENTRIES = 200;

const SCOPE = 'openid email profile';
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

// Codes of openid-client errors that mean the provider's response failed a check (signature,
// issuer, audience, nonce, expiry), as opposed to the provider being unreachable or refusing.
const INVALID_RESPONSE_CODES = new Set([
  'OAUTH_PARSE_ERROR',
  'OAUTH_INVALID_RESPONSE',
  'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
  'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
  'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
  'OAUTH_KEY_SELECTION_FAILED',
  'OAUTH_UNSUPPORTED_OPERATION',
]);

// The GraphQL context carries no server configuration, so the HTTP routes, which are built with
// it, register the settings here for the schema's resolvers to find through their database.
const settingsByDatabase = new WeakMap<Database, SsoSettings>();

export function registerSsoSettings(db: Database, settings: SsoSettings): void {
  settingsByDatabase.set(db, settings);
}

export function ssoSettingsFor(db: Database): SsoSettings {
  const settings = settingsByDatabase.get(db);
  if (!settings) {
    throw new Error(
      'Single sign-on settings were not registered for this database; the SSO routes register them at server start.',
    );
  }
  return settings;
}

/** Returns the path that starts a sign-in through a district's provider. */
export function ssoSignInPath(districtSlug: string): string {
  return `/auth/sso/${encodeURIComponent(districtSlug)}/start`;
}

function redirectUri(settings: SsoSettings): string {
  return `${settings.publicUrl}/auth/sso/callback`;
}

function secretContext(districtId: number): string {
  return `oidc_providers.client_secret:${districtId}`;
}

function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname);
}

/** Reports whether openid-client may use plain HTTP with this issuer: loopback addresses only. */
function allowsPlainHttp(issuer: URL): boolean {
  return issuer.protocol === 'http:' && isLoopback(issuer);
}

/**
 * Chooses how to send the client secret: client_secret_basic, the default of OpenID Connect
 * Discovery, unless the provider lists only client_secret_post.
 */
function clientAuthentication(metadata: client.ServerMetadata, secret: string): client.ClientAuth {
  const methods = metadata.token_endpoint_auth_methods_supported;
  if (
    methods &&
    !methods.includes('client_secret_basic') &&
    methods.includes('client_secret_post')
  ) {
    return client.ClientSecretPost(secret);
  }
  return client.ClientSecretBasic(secret);
}

/**
 * Fetches the provider's discovery document and builds the client configuration. The document's
 * issuer must equal `issuer`, which openid-client checks.
 */
async function discover(
  issuer: URL,
  clientId: string,
  secret: string,
): Promise<client.Configuration> {
  const discovered = await client.discovery(issuer, clientId, undefined, undefined, {
    timeout: PROVIDER_TIMEOUT_SECONDS,
    execute: allowsPlainHttp(issuer) ? [client.allowInsecureRequests] : [],
  });
  const metadata = discovered.serverMetadata();
  const config = new client.Configuration(
    metadata,
    clientId,
    undefined,
    clientAuthentication(metadata, secret),
  );
  config.timeout = PROVIDER_TIMEOUT_SECONDS;
  if (allowsPlainHttp(issuer)) {
    client.allowInsecureRequests(config);
  }
  return config;
}

interface CachedConfiguration {
  key: string;
  expiresAt: number;
  config: Promise<client.Configuration>;
}

// Provider metadata by provider id. openid-client keeps the provider's signing keys on the
// configuration, so reusing it also saves a JWKS request per sign-in. An entry whose provider row
// has changed since (issuer, client or secret) is replaced, because its key includes updatedAt.
const configurations = new Map<number, CachedConfiguration>();

/** Returns the client configuration of a stored provider, discovering it when not cached. */
function configurationFor(provider: OidcProviderRow, settings: SsoSettings) {
  const key = `${provider.issuer} ${provider.clientId} ${provider.updatedAt}`;
  const cached = configurations.get(provider.id);
  if (cached && cached.key === key && cached.expiresAt > Date.now()) {
    return cached.config;
  }
  if (configurations.size >= DISCOVERY_CACHE_MAX_ENTRIES) {
    configurations.clear();
  }
  const secret = settings.secretBox.decrypt(
    provider.clientSecret,
    secretContext(provider.districtId),
  );
  const config = discover(new URL(provider.issuer), provider.clientId, secret);
  configurations.set(provider.id, { key, expiresAt: Date.now() + DISCOVERY_CACHE_MS, config });
  // A failed discovery is not kept, so the next sign-in tries again.
  config.catch(() => {
    if (configurations.get(provider.id)?.config === config) {
      configurations.delete(provider.id);
    }
  });
  return config;
}

export interface ConfigureSsoInput {
  districtId?: number;
  districtSlug?: string;
  issuer: string;
  clientId: string;
  /** Required when the district has no provider yet; when omitted the stored secret is kept. */
  clientSecret?: string | null;
  /** Defaults to true. */
  enabled?: boolean | null;
}

async function loadDistrict(
  db: Executor,
  target: { districtId?: number; districtSlug?: string },
): Promise<DistrictRow> {
  const condition =
    target.districtId !== undefined
      ? eq(districts.id, target.districtId)
      : eq(districts.slug, target.districtSlug ?? '');
  const [district] = await db.select().from(districts).where(condition);
  if (!district) {
    throw new NotFoundError('District not found.');
  }
  return district;
}

async function requireSsoAdmin(
  ctx: ServiceContext,
  target: { districtId?: number; districtSlug?: string },
): Promise<DistrictRow> {
  const viewer = requireViewer(ctx);
  const district = await loadDistrict(ctx.db, target);
  if (!canAdministerDistrict(viewer, district.id)) {
    throw new ForbiddenError(
      "Only the district's admins and platform admins can manage its single sign-on.",
    );
  }
  return district;
}

/**
 * Checks the issuer's form. A loopback issuer is allowed only when PUBLIC_URL is one too (a
 * development or test setup): browsers elsewhere could not reach it, and it would let district
 * admins make the server request its own local services.
 */
function validateIssuer(validator: InputValidator, value: string, settings: SsoSettings): string {
  const issuer = validator.text('issuer', value, { min: 8, max: 500 });
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    validator.add('issuer', `"${issuer.slice(0, 100)}" is not a valid URL`);
    return issuer;
  }
  if (isLoopback(url) && !isLoopback(new URL(settings.publicUrl))) {
    validator.add(
      'issuer',
      'must not be a loopback address such as localhost, since browsers of this deployment cannot reach it',
    );
  } else if (url.protocol !== 'https:' && !isLoopback(url)) {
    validator.add(
      'issuer',
      'must be an https URL, such as https://accounts.google.com; plain http is allowed only for localhost and 127.0.0.1',
    );
  }
  if (url.search || url.hash || url.username || url.password) {
    validator.add('issuer', 'must not contain a query, a fragment or credentials');
  }
  return issuer;
}

/**
 * Sets up or changes a district's OpenID Connect provider; the district's admins and platform
 * admins. It fetches the issuer's discovery document first and returns a ValidationError on
 * `issuer` when that fails. The client secret is stored encrypted. Changing the issuer unlinks
 * every account from the old issuer's subjects, since subjects are unique per issuer only.
 */
export async function configureDistrictSso(
  ctx: ServiceContext,
  settings: SsoSettings,
  input: ConfigureSsoInput,
): Promise<DistrictRow> {
  const validator = new InputValidator();
  const issuer = validateIssuer(validator, input.issuer, settings);
  const clientId = validator.text('clientId', input.clientId, { max: 500 });
  const clientSecret = validator.optionalText('clientSecret', input.clientSecret, { max: 2000 });
  validator.check();

  const district = await requireSsoAdmin(ctx, input);
  const [existing] = await ctx.db
    .select()
    .from(oidcProviders)
    .where(eq(oidcProviders.districtId, district.id));
  const secret = clientSecret ?? storedSecretOf(settings, existing, district.id);
  // Discovery is a request from the server, so an issuer must not lead it into its own network.
  // A development setup, whose PUBLIC_URL is loopback, may use a local provider.
  if (!isLoopback(new URL(settings.publicUrl))) {
    const address = await nonPublicAddressOf(new URL(issuer));
    if (address) {
      throw ValidationError.of(
        'issuer',
        `must be on the public internet; its host resolves to ${address}, a loopback, private or reserved address`,
      );
    }
  }
  await checkDiscovery(issuer, clientId, secret);

  const enabled = input.enabled ?? true;
  const storedSecret = settings.secretBox.encrypt(secret, secretContext(district.id));
  await runInTransaction(ctx, async (tx) => {
    const [provider] = await tx
      .insert(oidcProviders)
      .values({ districtId: district.id, issuer, clientId, clientSecret: storedSecret, enabled })
      .onConflictDoUpdate({
        target: oidcProviders.districtId,
        set: { issuer, clientId, clientSecret: storedSecret, enabled, updatedAt: sql`now()` },
      })
      .returning({ id: oidcProviders.id });
    if (!provider) {
      throw new Error(`Storing the SSO provider of district ${district.id} returned no row`);
    }
    if (existing && existing.issuer !== issuer) {
      await tx.delete(userIdentities).where(eq(userIdentities.providerId, provider.id));
      await tx.delete(oidcLoginStates).where(eq(oidcLoginStates.providerId, provider.id));
    }
    await recordAudit(tx, {
      actorId: ctx.viewer?.id ?? null,
      action: 'district.sso_configured',
      districtId: district.id,
      details: { issuer, clientId, enabled, secretChanged: clientSecret !== undefined },
    });
  });
  ctx.log.info({ districtId: district.id, issuer, enabled }, 'District single sign-on configured');
  return district;
}

function storedSecretOf(
  settings: SsoSettings,
  provider: OidcProviderRow | undefined,
  districtId: number,
): string {
  if (!provider) {
    throw ValidationError.of('clientSecret', 'is required when the district has no provider yet');
  }
  try {
    return settings.secretBox.decrypt(provider.clientSecret, secretContext(districtId));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw ValidationError.of(
      'clientSecret',
      `is required because the stored one cannot be read: ${reason}`,
    );
  }
}

// NOTE: the host is checked before discovery, but a name that resolves to a public address then
// and to a private one at the request (DNS rebinding) still gets through. The error below shows a
// district admin how the issuer responded. Only the discovery path is requested.
async function checkDiscovery(issuer: string, clientId: string, secret: string): Promise<void> {
  try {
    const config = await discover(new URL(issuer), clientId, secret);
    const metadata = config.serverMetadata();
    if (!metadata.authorization_endpoint || !metadata.token_endpoint) {
      throw new Error('the discovery document names no authorization or token endpoint');
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ValidationError([
      {
        path: ['issuer'],
        message: `OpenID Connect discovery at ${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration failed (${reason}); check that the issuer URL is exactly the one the provider documents`,
      },
    ]);
  }
}

/** Removes a district's provider, with its accounts' links and unfinished sign-ins. */
export async function removeDistrictSso(
  ctx: ServiceContext,
  input: { districtId: number },
): Promise<DistrictRow> {
  const district = await requireSsoAdmin(ctx, input);
  await runInTransaction(ctx, async (tx) => {
    const removed = await tx
      .delete(oidcProviders)
      .where(eq(oidcProviders.districtId, district.id))
      .returning({ issuer: oidcProviders.issuer });
    if (removed.length === 0) {
      throw new NotFoundError('The district has no single sign-on to remove.');
    }
    await recordAudit(tx, {
      actorId: ctx.viewer?.id ?? null,
      action: 'district.sso_removed',
      districtId: district.id,
      details: { issuer: removed[0]?.issuer },
    });
  });
  ctx.log.info({ districtId: district.id }, 'District single sign-on removed');
  return district;
}

/** A started sign-in: the provider's authorization URL to send the browser to. */
export interface StartedSignIn {
  authorizationUrl: URL;
  /** The state parameter, for the caller to bind the sign-in to the browser (see sso-routes). */
  state: string;
  districtId: number;
}

/**
 * Starts a sign-in through a district's provider. The state, nonce and PKCE verifier are kept
 * for LOGIN_STATE_TTL_MS, with the state hashed. Throws SsoSignInError `disabled` when the
 * district has no enabled provider and `provider_error` when its discovery fails.
 */
export async function startSignIn(
  db: Database,
  settings: SsoSettings,
  input: { districtSlug: string; returnTo?: string },
): Promise<StartedSignIn> {
  const [row] = await db
    .select({ provider: oidcProviders })
    .from(oidcProviders)
    .innerJoin(districts, eq(districts.id, oidcProviders.districtId))
    .where(eq(districts.slug, input.districtSlug));
  const provider = row?.provider;
  if (!provider?.enabled) {
    throw new SsoSignInError(
      'disabled',
      `District "${input.districtSlug.slice(0, 64)}" has no enabled single sign-on.`,
    );
  }
  const config = await providerConfiguration(provider, settings);

  const state = client.randomState();
  const nonce = client.randomNonce();
  const codeVerifier = client.randomPKCECodeVerifier();
  const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
  // Expired rows of sign-ins that never came back are cleared here, since nothing else reads them.
  await db.delete(oidcLoginStates).where(lt(oidcLoginStates.expiresAt, sql`now()`));
  await db.insert(oidcLoginStates).values({
    stateHash: hashToken(state),
    providerId: provider.id,
    nonce,
    codeVerifier,
    returnTo: input.returnTo ?? '/',
    expiresAt: new Date(Date.now() + LOGIN_STATE_TTL_MS).toISOString(),
  });

  const authorizationUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri(settings),
    scope: SCOPE,
    state,
    nonce,
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
  });
  return { authorizationUrl, state, districtId: provider.districtId };
}

async function providerConfiguration(
  provider: OidcProviderRow,
  settings: SsoSettings,
): Promise<client.Configuration> {
  try {
    return await configurationFor(provider, settings);
  } catch (error) {
    throw new SsoSignInError(
      'provider_error',
      `Discovery of the provider ${provider.issuer} of district ${provider.districtId} failed: ${messageOf(error)}`,
      { cause: error },
    );
  }
}

/** A finished sign-in: the new cookie sign-in and where to send the browser. */
export interface FinishedSignIn extends SignedIn {
  districtId: number;
  /** A path of this site that the sign-in was started from. */
  returnTo: string;
}

/**
 * Completes a sign-in from the provider's redirect to `${publicUrl}/auth/sso/callback`; the caller
 * checks first that the redirect came to the browser that started the sign-in. The
 * started sign-in is deleted as it is read, so a replayed callback fails with `invalid_state`.
 * openid-client checks the state, the PKCE verifier, and the ID token's signature, issuer,
 * audience, nonce and expiry. The person's account is then found or created by resolveSsoUser,
 * and it becomes staff of the provider's district. Throws SsoSignInError.
 */
export async function finishSignIn(
  db: Database,
  settings: SsoSettings,
  callbackQuery: URLSearchParams,
): Promise<FinishedSignIn> {
  const state = callbackQuery.get('state');
  if (!state) {
    throw new SsoSignInError('invalid_state', 'The callback carries no state parameter.');
  }
  const [loginState] = await db
    .delete(oidcLoginStates)
    .where(eq(oidcLoginStates.stateHash, hashToken(state)))
    .returning();
  if (!loginState) {
    throw new SsoSignInError(
      'invalid_state',
      'The callback state matches no started sign-in; it was used already, or never issued.',
    );
  }
  if (new Date(loginState.expiresAt).getTime() < Date.now()) {
    throw new SsoSignInError(
      'invalid_state',
      `The sign-in took longer than ${LOGIN_STATE_TTL_MS / 60_000} minutes.`,
    );
  }
  const [provider] = await db
    .select()
    .from(oidcProviders)
    .where(eq(oidcProviders.id, loginState.providerId));
  if (!provider?.enabled) {
    throw new SsoSignInError('disabled', 'The district disabled single sign-on during sign-in.');
  }

  const config = await providerConfiguration(provider, settings);
  const callbackUrl = new URL(redirectUri(settings));
  callbackUrl.search = callbackQuery.toString();
  const claims = await exchangeCode(config, callbackUrl, {
    pkceCodeVerifier: loginState.codeVerifier,
    expectedState: state,
    expectedNonce: loginState.nonce,
    idTokenExpected: true,
  });
  const user = await db.transaction((tx) => resolveSsoUser(tx, provider, claims));
  const signedIn = await createAuthSession(db, user, 'cookie');
  return { ...signedIn, districtId: provider.districtId, returnTo: loginState.returnTo };
}

/** Claims about the person, from the ID token and, for what it lacks, the userinfo endpoint. */
interface PersonClaims {
  sub: string;
  email?: unknown;
  email_verified?: unknown;
  name?: unknown;
}

async function exchangeCode(
  config: client.Configuration,
  callbackUrl: URL,
  checks: client.AuthorizationCodeGrantChecks,
): Promise<PersonClaims> {
  try {
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, checks);
    const idToken = tokens.claims();
    if (!idToken) {
      throw new SsoSignInError('invalid_response', 'The token response has no ID token.');
    }
    let claims: PersonClaims = { ...idToken };
    // Some providers return email and name only from userinfo when they issue an access token;
    // oidc-provider does so unless its conformIdTokenClaims option is turned off.
    if (claims.email === undefined && config.serverMetadata().userinfo_endpoint) {
      const userinfo = await client.fetchUserInfo(config, tokens.access_token, idToken.sub);
      claims = { ...userinfo, ...claims };
    }
    return claims;
  } catch (error) {
    throw classifyProviderError(error);
  }
}

function classifyProviderError(error: unknown): SsoSignInError {
  if (error instanceof SsoSignInError) {
    return error;
  }
  if (error instanceof client.AuthorizationResponseError) {
    return new SsoSignInError(
      'provider_error',
      `The provider returned ${error.error}: ${error.error_description ?? 'no description'}`,
      { cause: error },
    );
  }
  if (error instanceof client.ResponseBodyError) {
    return new SsoSignInError(
      'provider_error',
      `The provider rejected the request with ${error.error} (HTTP ${error.status}): ${error.error_description ?? 'no description'}`,
      { cause: error },
    );
  }
  if (error instanceof client.WWWAuthenticateChallengeError) {
    return new SsoSignInError(
      'provider_error',
      `The provider rejected the client credentials (HTTP ${error.status}); check the client id and secret of the district's provider.`,
      { cause: error },
    );
  }
  if (error instanceof client.ClientError && INVALID_RESPONSE_CODES.has(error.code ?? '')) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return new SsoSignInError('invalid_response', `${error.message}${cause}`, { cause: error });
  }
  return new SsoSignInError('provider_error', `Calling the provider failed: ${messageOf(error)}`, {
    cause: error,
  });
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) {
    return String(error);
  }
  return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
}

/**
 * Finds or creates the account of the person the provider vouched for, and makes it staff of the
 * provider's district:
 * 1. an account linked to this subject at this provider;
 * 2. else an account with the same email, when the provider's email_verified claim is true, the
 *    account has no other subject at this provider, and the email's domain is a verified domain
 *    of the same district. Otherwise it fails with `account_exists`, because linking would let
 *    the provider take over an account it does not vouch for;
 * 3. else a new account without a password.
 */
async function resolveSsoUser(
  tx: Executor,
  provider: OidcProviderRow,
  claims: PersonClaims,
): Promise<UserRow> {
  const [linked] = await tx
    .select({ user: users })
    .from(userIdentities)
    .innerJoin(users, eq(users.id, userIdentities.userId))
    .where(and(eq(userIdentities.providerId, provider.id), eq(userIdentities.subject, claims.sub)));
  const user = linked?.user ?? (await linkOrCreateUser(tx, provider, claims));

  if (user.districtId === provider.districtId) {
    return user;
  }
  // A school belongs to one district, so moving to another district drops the school.
  const [moved] = await tx
    .update(users)
    .set({ districtId: provider.districtId, schoolId: null })
    .where(eq(users.id, user.id))
    .returning();
  return moved ?? user;
}

async function linkOrCreateUser(
  tx: Executor,
  provider: OidcProviderRow,
  claims: PersonClaims,
): Promise<UserRow> {
  const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
  if (!EMAIL_PATTERN.test(email) || email.length > 254) {
    throw new SsoSignInError(
      'invalid_response',
      `The provider sent no usable email claim for subject ${claims.sub.slice(0, 100)}; ask its admin to release the email scope to this client.`,
    );
  }
  const emailVerified = claims.email_verified === true;
  const [existing] = await tx.select().from(users).where(sql`lower(${users.email}) = ${email}`);
  if (existing) {
    await checkLinkable(tx, provider, existing, emailVerified);
    await tx
      .insert(userIdentities)
      .values({ userId: existing.id, providerId: provider.id, subject: claims.sub });
    const [verified] = await tx
      .update(users)
      .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())` })
      .where(eq(users.id, existing.id))
      .returning();
    return verified ?? existing;
  }

  const [created] = await tx
    .insert(users)
    .values({
      email,
      displayName: displayNameOf(claims.name, email),
      passwordHash: null,
      emailVerifiedAt: emailVerified ? new Date().toISOString() : null,
      districtId: provider.districtId,
    })
    .onConflictDoNothing()
    .returning();
  if (!created) {
    throw new SsoSignInError(
      'account_exists',
      `An account with the email ${email} was created while this sign-in ran.`,
    );
  }
  await tx
    .insert(userIdentities)
    .values({ userId: created.id, providerId: provider.id, subject: claims.sub });
  return created;
}

async function checkLinkable(
  tx: Executor,
  provider: OidcProviderRow,
  user: UserRow,
  emailVerified: boolean,
): Promise<void> {
  if (!emailVerified) {
    throw new SsoSignInError(
      'account_exists',
      `Account ${user.id} has the email the provider sent, but the provider does not say the email is verified.`,
    );
  }
  const [otherSubject] = await tx
    .select({ subject: userIdentities.subject })
    .from(userIdentities)
    .where(and(eq(userIdentities.userId, user.id), eq(userIdentities.providerId, provider.id)));
  if (otherSubject) {
    throw new SsoSignInError(
      'account_exists',
      `Account ${user.id} is already linked to another subject at this provider.`,
    );
  }
  if ((await districtForEmail(tx, user.email)) !== provider.districtId) {
    throw new SsoSignInError(
      'account_exists',
      `Account ${user.id} has the email the provider sent, and its domain is not a verified domain of district ${provider.districtId}.`,
    );
  }
}

function displayNameOf(name: unknown, email: string): string {
  const cleaned =
    typeof name === 'string'
      ? name
          .replace(/\p{C}+/gu, ' ')
          .replace(/\s+/g, ' ')
          .trim()
      : '';
  const fallback = email.slice(0, email.indexOf('@'));
  return [...(cleaned || fallback)].slice(0, 80).join('') || 'Educator';
}
