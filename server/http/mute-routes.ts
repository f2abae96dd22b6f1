import type { ServerResponse } from 'node:http';
import { eq } from 'drizzle-orm';
import type { Database } from '../../drizzle/db.ts';
import { communities, threads, users } from '../../drizzle/tables/index.ts';
import type { MuteLinks, MuteTarget } from '../mail/mute-links.ts';
import { writeFollow, writeNotificationDelivery } from '../services/follow.ts';
import type { HttpRoute } from './route.ts';

const MUTE_PATH = /^\/mute\/([A-Za-z0-9._-]{1,200})$/;

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (char) =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  );
}

function sendPage(response: ServerResponse, status: number, title: string, body: string): void {
  response
    .writeHead(status, {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      // The page loads nothing; its only form posts back to this same address.
      'Content-Security-Policy': "default-src 'none'; form-action 'self'; frame-ancestors 'none'",
      'Referrer-Policy': 'no-referrer',
    })
    .end(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} · Staffroom</title></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`,
    );
}

/** Returns a phrase naming what a link mutes, or null when the target no longer exists. */
async function describeTarget(db: Database, target: MuteTarget): Promise<string | null> {
  const [user] = await db.select({ id: users.id }).from(users).where(eq(users.id, target.userId));
  if (!user) {
    return null;
  }
  if (target.kind === 'email') {
    return 'all notification mail';
  }
  if (target.kind === 'thread') {
    const [thread] = await db
      .select({ title: threads.title })
      .from(threads)
      .where(eq(threads.id, target.threadId));
    return thread ? `the thread “${thread.title}”` : null;
  }
  const [community] = await db
    .select({ name: communities.name })
    .from(communities)
    .where(eq(communities.id, target.communityId));
  return community ? `the community “${community.name}”` : null;
}

async function applyMute(db: Database, target: MuteTarget): Promise<void> {
  if (target.kind === 'email') {
    await writeNotificationDelivery(db, target.userId, 'in_app');
    return;
  }
  await writeFollow(
    db,
    target.userId,
    target.kind === 'thread' ? { threadId: target.threadId } : { communityId: target.communityId },
    'muted',
  );
}

const INVALID_LINK =
  '<p>This mute link is invalid: it may have been changed or cut short when it was copied. Open the link from the mail again, or choose what to mute in the settings of your account.</p>';

/**
 * Serves the one-click mute links of notification mail, which work without signing in. GET shows
 * a confirmation page with a button, because mail scanners open links; only the POST that the
 * button sends mutes. A link with a bad signature gets a 400 page and changes nothing.
 */
export function createMuteRoutes(deps: { db: Database; muteLinks: MuteLinks }): HttpRoute {
  return async (request, response, url) => {
    const match = MUTE_PATH.exec(url.pathname);
    if (!match) {
      return false;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD' && request.method !== 'POST') {
      response.writeHead(405, { Allow: 'GET, HEAD, POST' }).end();
      return true;
    }
    const target = deps.muteLinks.verify(match[1] ?? '');
    if (!target) {
      sendPage(response, 400, 'Invalid mute link', INVALID_LINK);
      return true;
    }
    const what = await describeTarget(deps.db, target);
    if (!what) {
      sendPage(
        response,
        404,
        'Nothing to mute',
        '<p>What this link mutes no longer exists, so there is nothing to change.</p>',
      );
      return true;
    }
    if (request.method === 'POST') {
      // The body (the button's empty form) is not read, because the signed token names the target.
      request.resume();
      await applyMute(deps.db, target);
      sendPage(
        response,
        200,
        'Muted',
        `<p>Done: you will no longer get notifications about ${escapeHtml(what)}${target.kind === 'email' ? ' by mail; they still appear in the app' : ''}. You can change this at any time in Staffroom.</p>`,
      );
      return true;
    }
    sendPage(
      response,
      200,
      'Mute notifications?',
      `<p>Stop notifications about ${escapeHtml(what)}?</p><form method="post"><button type="submit">Mute</button></form>`,
    );
    return true;
  };
}
