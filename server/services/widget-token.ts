import { eq, sql } from 'drizzle-orm';
import { authSessions } from '../../drizzle/tables/index.ts';
import { consumeRateLimit, type RateLimitRule } from '../auth/rate-limit.ts';
import { createToken, hashToken } from '../auth/tokens.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { requireViewer, type ServiceContext } from './context.ts';
import { embedOriginAllowed, findEmbedKey, WIDGET_TOKEN_MINUTES } from './embed-key.ts';

/** Widget sign-ins one person may create in an hour. */
export const WIDGET_TOKEN_RATE_LIMIT: RateLimitRule = { limit: 30, windowSeconds: 60 * 60 };

export interface WidgetTokenContext extends ServiceContext {
  authSessionId: number | null;
  userAgent: string | null;
  /** Reports whether an origin is the server's own (PUBLIC_URL's or CORS_ORIGINS). */
  isOwnOrigin: (origin: string) => boolean;
}

export interface CreatedWidgetToken {
  token: string;
  expiresAt: string;
  userId: number;
}

/**
 * Creates a short-lived sign-in for a widget: it works only on the embed endpoint, with this
 * embed key, from pages at this origin, for 60 minutes. Only a browser or bearer sign-in may
 * create one, so a widget cannot extend its own sign-in.
 */
export async function createWidgetToken(
  ctx: WidgetTokenContext,
  input: { embedKey: string; origin: string },
): Promise<CreatedWidgetToken> {
  const viewer = requireViewer(ctx);
  const [current] =
    ctx.authSessionId === null
      ? []
      : await ctx.db
          .select({ kind: authSessions.kind })
          .from(authSessions)
          .where(eq(authSessions.id, ctx.authSessionId));
  if (!current || (current.kind !== 'cookie' && current.kind !== 'bearer')) {
    throw new ForbiddenError(
      'A widget sign-in can be created only from a Staffroom browser or bearer sign-in.',
    );
  }
  const key = await findEmbedKey(ctx.db, input.embedKey.trim());
  if (!key) {
    throw new NotFoundError('This embed key does not exist; check the snippet on the page.');
  }
  if (key.row.revokedAt !== null) {
    throw new ForbiddenError('This embed key was revoked by its owner; the widget is turned off.');
  }
  let origin: string;
  try {
    origin = new URL(input.origin.trim()).origin;
  } catch {
    throw ValidationError.of('origin', `"${input.origin.slice(0, 80)}" is not a valid origin`);
  }
  if (origin === 'null' || origin !== input.origin.trim()) {
    throw ValidationError.of(
      'origin',
      `"${input.origin.slice(0, 80)}" is not an origin such as https://portal.example.org`,
    );
  }
  if (!embedOriginAllowed(key.row, origin, ctx.isOwnOrigin)) {
    throw new ForbiddenError(`This embed key is not enabled for ${origin}.`);
  }
  await consumeRateLimit(ctx.db, `widget-token:user:${viewer.id}`, WIDGET_TOKEN_RATE_LIMIT);

  const token = createToken();
  const [row] = await ctx.db
    .insert(authSessions)
    .values({
      userId: viewer.id,
      tokenHash: hashToken(token),
      kind: 'widget',
      scopes: ['read', 'write'],
      userAgent: ctx.userAgent,
      embedKeyId: key.row.id,
      origin,
      expiresAt: sql`now() + make_interval(mins => ${WIDGET_TOKEN_MINUTES})` as unknown as string,
    })
    .returning({ id: authSessions.id, expiresAt: authSessions.expiresAt });
  if (!row) {
    throw new Error(`Creating a widget sign-in for user ${viewer.id} returned no row`);
  }
  ctx.log.info(
    { embedKeyId: key.row.id, origin, authSessionId: row.id },
    'Created a widget sign-in',
  );
  return { token, expiresAt: new Date(row.expiresAt).toISOString(), userId: viewer.id };
}
