import { encodeGlobalID } from '@pothos/plugin-relay';
import { API_SCOPES } from '../../drizzle/tables/index.ts';
import {
  ConflictError,
  ForbiddenError,
  InvalidCredentialsError,
  RateLimitedError,
  UnauthenticatedError,
  ValidationError,
} from '../../server/errors.ts';
import {
  type AuthSessionRow,
  authSessionTopic,
  changePassword,
  createApiToken,
  deleteAccount,
  listApiTokens,
  listSignIns,
  requestPasswordReset,
  resendVerificationEmail,
  resetPassword,
  revokeAuthSession,
  type SignedIn,
  signIn,
  signOut,
  signOutEverywhere,
  signUp,
  type UserRow,
  updateProfile,
  verifyEmail,
} from '../../server/services/account.ts';
import { builder, type GraphQLContext } from '../builder.ts';
import { COMMON_ERRORS } from '../errors.ts';
import { parseGlobalId } from '../ids.ts';
import { enumFromValues } from './enums.ts';

const SessionKindEnum = enumFromValues(
  'SessionKind',
  ['cookie', 'bearer'] as const,
  'COOKIE sets an httpOnly session cookie for the web client; BEARER returns a token for API clients.',
);

const ApiScopeEnum = enumFromValues(
  'ApiScope',
  API_SCOPES,
  'What an API token may do: READ runs queries and subscriptions, WRITE also runs mutations.',
);

const AuthPayload = builder
  .objectRef<{ user: UserRow; token: string | null }>('AuthPayload')
  .implement({
    description: 'The person who just signed in, and the bearer token when one was asked for.',
    fields: (t) => ({
      user: t.drizzleField({
        type: 'users',
        description: 'The signed-in person.',
        resolve: (query, payload, _args, ctx) =>
          ctx.db.query.users.findFirst(query({ where: { id: payload.user.id } })).then((user) => {
            if (!user) {
              throw new Error(`User ${payload.user.id} vanished after signing in`);
            }
            return user;
          }),
      }),
      token: t.exposeString('token', {
        nullable: true,
        description: 'Send as `Authorization: Bearer <token>`; null when a cookie was set instead.',
      }),
    }),
  });

const SignIn = builder.objectRef<AuthSessionRow>('SignIn').implement({
  description: 'A browser or API client signed in to the account.',
  fields: (t) => ({
    id: t.id({
      description: 'Global id, for revokeSignIn.',
      resolve: (row) => encodeGlobalID('SignIn', row.id),
    }),
    kind: t.field({
      type: SessionKindEnum,
      description: 'COOKIE for the web client, BEARER for an API client that signed in.',
      resolve: (row) => (row.kind === 'cookie' ? 'cookie' : 'bearer'),
    }),
    userAgent: t.exposeString('userAgent', {
      nullable: true,
      description: 'The User-Agent header sent when signing in.',
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When it signed in.',
      resolve: (row) => row.createdAt,
    }),
    lastUsedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it last made a request, to the minute; null when never since signing in.',
      resolve: (row) => row.lastUsedAt,
    }),
    expiresAt: t.field({
      type: 'DateTime',
      description: 'When it ends unless revoked first.',
      resolve: (row) => row.expiresAt,
    }),
    current: t.boolean({
      description: 'Whether this request was made with this sign-in.',
      resolve: (row, _args, ctx) => row.id === ctx.authSessionId,
    }),
  }),
});

const ApiToken = builder.objectRef<AuthSessionRow>('ApiToken').implement({
  description: 'A personal API token. Its secret was shown once, when it was created.',
  fields: (t) => ({
    id: t.id({
      description: 'Global id, for revokeApiToken.',
      resolve: (row) => encodeGlobalID('ApiToken', row.id),
    }),
    name: t.string({
      description: "The owner's label for the token.",
      resolve: (row) => row.name ?? '',
    }),
    scopes: t.field({
      type: [ApiScopeEnum],
      description: 'What the token may do.',
      resolve: (row) => row.scopes,
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When it was created.',
      resolve: (row) => row.createdAt,
    }),
    lastUsedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it last made a request, to the minute; null when never.',
      resolve: (row) => row.lastUsedAt,
    }),
    expiresAt: t.field({
      type: 'DateTime',
      description: 'When it stops working unless revoked first.',
      resolve: (row) => row.expiresAt,
    }),
  }),
});

const CreatedApiToken = builder
  .objectRef<{ token: string; apiToken: AuthSessionRow }>('CreatedApiToken')
  .implement({
    description: 'A new API token with its secret, which is never shown again.',
    fields: (t) => ({
      token: t.exposeString('token', {
        description:
          'Send as `Authorization: Bearer <token>`. Store it now: it cannot be read later.',
      }),
      apiToken: t.field({
        type: ApiToken,
        description: 'The token as it appears in the list of API tokens.',
        resolve: (payload) => payload.apiToken,
      }),
    }),
  });

const ownOnly = {
  authScopes: (user: { id: number }) => ({ isViewer: user.id }),
  unauthorizedResolver: () => null,
} as const;

builder.drizzleObjectFields('users', (t) => ({
  emailVerified: t.boolean({
    nullable: true,
    description: 'Whether the person confirmed their email address; null for anyone else.',
    ...ownOnly,
    resolve: (user) => user.emailVerifiedAt !== null,
  }),
  hasPassword: t.boolean({
    nullable: true,
    description:
      'Whether the account has a password; false when it signs in only through single sign-on. Null for anyone else.',
    ...ownOnly,
    resolve: (user) => user.passwordHash !== null,
  }),
  badgesPublic: t.boolean({
    nullable: true,
    description: "The person's choice to show their badge awards to others; null for anyone else.",
    ...ownOnly,
    resolve: (user) => user.badgesPublic,
  }),
  signIns: t.field({
    type: [SignIn],
    nullable: true,
    description:
      'Browsers and API clients signed in to the account that have not ended, most recently used first; null for anyone else.',
    ...ownOnly,
    resolve: (user, _args, ctx) => listSignIns(ctx.db, user.id),
  }),
  apiTokens: t.field({
    type: [ApiToken],
    nullable: true,
    description: 'Personal API tokens that have not ended, newest first; null for anyone else.',
    ...ownOnly,
    resolve: (user, _args, ctx) => listApiTokens(ctx.db, user.id),
  }),
}));

const credentialFields = builder.inputType('SignInInput', {
  description: 'Email, password and the kind of sign-in to create.',
  fields: (f) => ({
    email: f.string({ required: true, description: 'Any case.' }),
    password: f.string({ required: true, description: 'The account password.' }),
    session: f.field({
      type: SessionKindEnum,
      defaultValue: 'bearer',
      description: 'COOKIE for the web client, BEARER for API clients.',
    }),
  }),
});

const SignUpInput = builder.inputType('SignUpInput', {
  description: 'A new account.',
  fields: (f) => ({
    email: f.string({ required: true, description: 'Where the verification mail goes.' }),
    password: f.string({ required: true, description: '10 to 256 characters.' }),
    displayName: f.string({ required: true, description: 'Up to 80 characters.' }),
    session: f.field({
      type: SessionKindEnum,
      defaultValue: 'bearer',
      description: 'COOKIE for the web client, BEARER for API clients.',
    }),
  }),
});

const TokenInput = builder.inputType('VerifyEmailInput', {
  description: 'The token from the link in a verification mail.',
  fields: (f) => ({
    token: f.string({ required: true, description: 'The `token` parameter of the link.' }),
  }),
});

const RequestPasswordResetInput = builder.inputType('RequestPasswordResetInput', {
  description: 'The address of the account whose password is forgotten.',
  fields: (f) => ({
    email: f.string({ required: true, description: 'Any case.' }),
  }),
});

const ResetPasswordInput = builder.inputType('ResetPasswordInput', {
  description: 'The token from a password reset mail and the new password.',
  fields: (f) => ({
    token: f.string({ required: true, description: 'The `token` parameter of the link.' }),
    newPassword: f.string({ required: true, description: '10 to 256 characters.' }),
  }),
});

const ChangePasswordInput = builder.inputType('ChangePasswordInput', {
  description: 'The current password and the new one.',
  fields: (f) => ({
    currentPassword: f.string({ required: true, description: 'The password in use now.' }),
    newPassword: f.string({ required: true, description: '10 to 256 characters.' }),
  }),
});

const CreateApiTokenInput = builder.inputType('CreateApiTokenInput', {
  description: 'A new personal API token.',
  fields: (f) => ({
    name: f.string({ required: true, description: 'A label, up to 80 characters.' }),
    scopes: f.field({
      type: [ApiScopeEnum],
      required: true,
      description: 'What the token may do; at least one.',
    }),
    expiresInDays: f.int({
      defaultValue: 90,
      description: 'Days until the token stops working, 1 to 365.',
    }),
  }),
});

const IdInput = (name: string, description: string) =>
  builder.inputType(name, {
    description,
    fields: (f) => ({ id: f.id({ required: true, description: 'Its global id.' }) }),
  });

const UpdateProfileInput = builder.inputType('UpdateProfileInput', {
  description: 'Profile fields to change; omitted or null fields stay as they are.',
  fields: (f) => ({
    displayName: f.string({ description: 'Up to 80 characters.' }),
    bio: f.string({ description: 'Up to 2000 characters; an empty string clears it.' }),
    badgesPublic: f.boolean({ description: 'Whether others see your badge awards.' }),
  }),
});

const DeleteAccountInput = builder.inputType('DeleteAccountInput', {
  description: 'The confirmation of an account deletion, and what happens to what was written.',
  fields: (f) => ({
    password: f.string({ description: 'The account password; required when it has one.' }),
    email: f.string({
      description:
        "The account's email address, typed out; required instead of a password when the account signs in only through single sign-on.",
    }),
    erasePosts: f.boolean({
      defaultValue: false,
      description:
        'Erase the text of your threads, replies and chat messages too. Otherwise they stay, shown as written by a deleted user.',
    }),
  }),
});

const VIEWER_ERRORS = [...COMMON_ERRORS, RateLimitedError];

builder.mutationFields((t) => ({
  signUp: t.field({
    type: AuthPayload,
    description:
      'Creates an account (password of 10 to 256 characters), signs it in and mails a link to verify the address. The account joins a district only once the address is verified.',
    errors: { types: [...COMMON_ERRORS, RateLimitedError] },
    args: { input: t.arg({ required: true, type: SignUpInput }) },
    resolve: async (_parent, { input }, ctx) => {
      const kind = input.session ?? 'bearer';
      const signedIn = await signUp(ctx, { ...input, kind });
      return issue(ctx, signedIn);
    },
  }),
  signIn: t.field({
    type: AuthPayload,
    description:
      'Signs in with email and password. A wrong email and a wrong password look the same. Attempts are limited per email and per client address.',
    errors: { types: [ValidationError, InvalidCredentialsError, RateLimitedError] },
    args: { input: t.arg({ required: true, type: credentialFields }) },
    resolve: async (_parent, { input }, ctx) => {
      const signedIn = await signIn(ctx, { ...input, kind: input.session ?? 'bearer' });
      ctx.log.info({ userId: signedIn.user.id, kind: signedIn.kind }, 'Signed in');
      return issue(ctx, signedIn);
    },
  }),
  signOut: t.boolean({
    description: 'Ends the sign-in this request was made with; true when there was one.',
    resolve: async (_parent, _args, ctx) => {
      ctx.setSessionCookie(null);
      if (!ctx.authToken) {
        return false;
      }
      const revokedId = await signOut(ctx.db, ctx.authToken);
      if (revokedId !== null) {
        // A control notice, not an event row: no subscriber replays it.
        ctx.publish([{ id: 0, topic: authSessionTopic(revokedId) }]);
      }
      return true;
    },
  }),
  verifyEmail: t.drizzleField({
    type: 'users',
    description:
      "Confirms an email address with the token from a verification mail. The account becomes staff of the district that has verified the address's domain. The token works once, for 48 hours.",
    errors: { types: [ValidationError, RateLimitedError] },
    args: { input: t.arg({ required: true, type: TokenInput }) },
    resolve: async (query, _parent, { input }, ctx) => {
      const user = await verifyEmail(ctx, input);
      return ctx.db.query.users
        .findFirst(query({ where: { id: user.id } }))
        .then((row) => row ?? user);
    },
  }),
  resendVerificationEmail: t.boolean({
    description: 'Mails a new verification link to the viewer; earlier links stop working.',
    errors: { types: [ConflictError, UnauthenticatedError, ForbiddenError, RateLimitedError] },
    resolve: async (_parent, _args, ctx) => {
      await resendVerificationEmail(ctx);
      return true;
    },
  }),
  requestPasswordReset: t.boolean({
    description:
      'Mails a password reset link, valid for one hour, when the address belongs to an account. Always returns true, so it does not reveal which addresses have accounts.',
    errors: { types: [ValidationError, RateLimitedError] },
    args: { input: t.arg({ required: true, type: RequestPasswordResetInput }) },
    resolve: async (_parent, { input }, ctx) => {
      await requestPasswordReset(ctx, input);
      return true;
    },
  }),
  resetPassword: t.boolean({
    description:
      'Sets a new password with the token from a reset mail. The token works once. Every sign-in and API token of the account ends; sign in again afterwards.',
    errors: { types: [ValidationError, RateLimitedError] },
    args: { input: t.arg({ required: true, type: ResetPasswordInput }) },
    resolve: async (_parent, { input }, ctx) => {
      await resetPassword(ctx, input);
      return true;
    },
  }),
  changePassword: t.boolean({
    description:
      "Changes the viewer's password after checking the current one. Their other browser and bearer sign-ins end; API tokens stay.",
    errors: { types: [...VIEWER_ERRORS, InvalidCredentialsError] },
    args: { input: t.arg({ required: true, type: ChangePasswordInput }) },
    resolve: async (_parent, { input }, ctx) => {
      await changePassword(ctx, input);
      return true;
    },
  }),
  signOutEverywhere: t.int({
    description:
      'Ends every browser and bearer sign-in of the viewer, this one included, and returns how many ended. API tokens stay; revoke them with revokeApiToken.',
    errors: { types: [UnauthenticatedError] },
    resolve: async (_parent, _args, ctx) => {
      const count = await signOutEverywhere(ctx);
      ctx.setSessionCookie(null);
      return count;
    },
  }),
  createApiToken: t.field({
    type: CreatedApiToken,
    description:
      'Creates a personal API token. Only a browser or bearer sign-in with the WRITE scope may, not another API token.',
    errors: { types: COMMON_ERRORS },
    args: { input: t.arg({ required: true, type: CreateApiTokenInput }) },
    resolve: (_parent, { input }, ctx) =>
      createApiToken(ctx, {
        name: input.name,
        scopes: input.scopes,
        expiresInDays: input.expiresInDays ?? 90,
      }),
  }),
  revokeSignIn: t.field({
    type: SignIn,
    description:
      "Ends one of the viewer's sign-ins and closes its sockets. Another person's sign-in is not found.",
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({ required: true, type: IdInput('RevokeSignInInput', 'The sign-in to end.') }),
    },
    resolve: async (_parent, { input }, ctx) => {
      const id = parseGlobalId(String(input.id), 'SignIn', 'id');
      const revoked = await revokeAuthSession(ctx, { id, kind: 'sign_in' });
      if (revoked.id === ctx.authSessionId) {
        ctx.setSessionCookie(null);
      }
      return revoked;
    },
  }),
  revokeApiToken: t.field({
    type: ApiToken,
    description: "Revokes one of the viewer's API tokens. Another person's token is not found.",
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: IdInput('RevokeApiTokenInput', 'The API token to revoke.'),
      }),
    },
    resolve: (_parent, { input }, ctx) =>
      revokeAuthSession(ctx, {
        id: parseGlobalId(String(input.id), 'ApiToken', 'id'),
        kind: 'api_token',
      }),
  }),
  updateProfile: t.drizzleField({
    type: 'users',
    description: "Changes the viewer's display name, bio and badge visibility.",
    errors: { types: COMMON_ERRORS },
    args: { input: t.arg({ required: true, type: UpdateProfileInput }) },
    resolve: async (query, _parent, { input }, ctx) => {
      const user = await updateProfile(ctx, input);
      return ctx.db.query.users
        .findFirst(query({ where: { id: user.id } }))
        .then((row) => row ?? user);
    },
  }),
  deleteAccount: t.boolean({
    description:
      "Deletes the viewer's account, memberships, sign-ins and personal data, and ends its sockets. What they wrote stays, shown as written by a deleted user, unless `erasePosts` is true. An owner must first hand over communities that have other members.",
    errors: { types: [...VIEWER_ERRORS, InvalidCredentialsError] },
    args: { input: t.arg({ required: true, type: DeleteAccountInput }) },
    resolve: async (_parent, { input }, ctx) => {
      await deleteAccount(ctx, { ...input, erasePosts: input.erasePosts ?? false });
      ctx.setSessionCookie(null);
      return true;
    },
  }),
}));

function issue(ctx: GraphQLContext, signedIn: SignedIn) {
  ctx.signedInUserId = signedIn.user.id;
  if (signedIn.kind === 'cookie') {
    ctx.setSessionCookie(signedIn.token, signedIn.expiresAt);
    return { user: signedIn.user, token: null };
  }
  return { user: signedIn.user, token: signedIn.token };
}
