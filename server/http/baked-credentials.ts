import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { eq } from 'drizzle-orm';
import type { Database } from '../../drizzle/db.ts';
import { badgeAwards } from '../../drizzle/tables/index.ts';
import { bakePng, bakeSvg } from '../credentials/baking.ts';
import type { OpenBadgeCredential } from '../credentials/open-badge.ts';
import { loadBadgeImage } from '../services/badge-image.ts';
import { contentDisposition, rowIdFromPath, sendFile, sendFileNotFound } from './upload-routes.ts';

/**
 * Sends an award's badge image with its signed credential baked in (Open Badges 3.0 baking), as
 * GET /credentials/awards/<award global id>.png or .svg. The caller has already checked that the
 * viewer may read the credential. A PNG comes from an uploaded PNG image, an SVG from an uploaded
 * SVG or the drawn template; the other format gets 404.
 */
export async function sendBakedCredential(
  db: Database,
  request: IncomingMessage,
  response: ServerResponse,
  awardGlobalId: string,
  format: 'png' | 'svg',
  credential: OpenBadgeCredential,
): Promise<void> {
  const awardId = rowIdFromPath(awardGlobalId, 'BadgeAward');
  const [award] =
    awardId === null
      ? []
      : await db
          .select({ badgeId: badgeAwards.badgeId })
          .from(badgeAwards)
          .where(eq(badgeAwards.id, awardId));
  const image = award ? await loadBadgeImage(db, award.badgeId) : null;
  const expectedType = format === 'png' ? 'image/png' : 'image/svg+xml';
  if (!image || image.contentType !== expectedType) {
    sendFileNotFound(response);
    return;
  }

  const credentialJson = JSON.stringify(credential);
  const content =
    format === 'png'
      ? bakePng(image.content, credentialJson)
      : new TextEncoder().encode(bakeSvg(new TextDecoder().decode(image.content), credentialJson));
  sendFile(request, response, {
    contentType: expectedType,
    content,
    sha256: createHash('sha256').update(content).digest('hex'),
    headers: {
      'Content-Disposition': contentDisposition('attachment', `credential.${format}`),
      'Cache-Control': 'private, no-store',
    },
  });
}
