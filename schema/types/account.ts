import { InvalidCredentialsError, ValidationError } from '../../server/errors.ts';
import {
  authSessionTopic,
  type SignedIn,
  signIn,
  signOut,
  signUp,
  type UserRow,
} from '../../server/services/account.ts';
import { builder, type GraphQLContext } from '../builder.ts';
import { COMMON_ERRORS } from '../errors.ts';
import { enumFromValues } from './enums.ts';

const SessionKindEnum = enumFromValues(
  'SessionKind',
  ['cookie', 'bearer'] as const,
  'COOKIE sets an httpOnly session cookie for the web client; BEARER returns a token for API clients.',
);

const AuthPayload = builder
  .objectRef<{ user: UserRow; token: string | null }>('AuthPayload')
  .implement({
    fields: (t) => ({
      user: t.drizzleField({
        type: 'users',
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

const credentialFields = builder.inputType('SignInInput', {
  fields: (f) => ({
    email: f.string({ required: true }),
    password: f.string({ required: true }),
    session: f.field({ type: SessionKindEnum, defaultValue: 'bearer' }),
  }),
});

builder.mutationFields((t) => ({
  signUp: t.field({
    type: AuthPayload,
    description: 'Creates an account (password of 10 to 256 characters) and signs it in.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('SignUpInput', {
          fields: (f) => ({
            email: f.string({ required: true }),
            password: f.string({ required: true }),
            displayName: f.string({ required: true }),
            session: f.field({ type: SessionKindEnum, defaultValue: 'bearer' }),
          }),
        }),
      }),
    },
    resolve: async (_parent, { input }, ctx) => {
      const kind = input.session ?? 'bearer';
      const signedIn = await signUp(ctx.db, { ...input, kind });
      return issue(ctx, signedIn);
    },
  }),
  signIn: t.field({
    type: AuthPayload,
    description:
      'Signs in with email and password. A wrong email and a wrong password look the same.',
    errors: { types: [ValidationError, InvalidCredentialsError] },
    args: { input: t.arg({ required: true, type: credentialFields }) },
    resolve: async (_parent, { input }, ctx) => {
      const signedIn = await signIn(ctx.db, { ...input, kind: input.session ?? 'bearer' });
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
}));

function issue(ctx: GraphQLContext, signedIn: SignedIn) {
  ctx.signedInUserId = signedIn.user.id;
  if (signedIn.kind === 'cookie') {
    ctx.setSessionCookie(signedIn.token, signedIn.expiresAt);
    return { user: signedIn.user, token: null };
  }
  return { user: signedIn.user, token: signedIn.token };
}
