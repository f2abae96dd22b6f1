import { eq } from 'drizzle-orm';
import {
  badges,
  evidenceFiles,
  evidenceRevisions,
  evidenceSubmissions,
  uploads,
} from '../../drizzle/tables/index.ts';
import { canManageBadge } from './badge-access.ts';
import type { ServiceContext } from './context.ts';

/** An upload with its content, for serving. */
export type StoredUpload = typeof uploads.$inferSelect;

/**
 * Reports whether the viewer may read an upload. Its owner may, and so may anyone who may read a
 * badge whose image it is. An evidence file is also read by the submitter and by those who
 * manage the badge of a submission whose revisions list the file.
 */
export async function canReadUpload(
  ctx: ServiceContext,
  upload: { id: number; ownerId: number | null; purpose: string },
): Promise<boolean> {
  if (ctx.viewer !== null && upload.ownerId === ctx.viewer.id) {
    return true;
  }
  if (upload.purpose === 'badge_image') {
    const imageOf = await ctx.db
      .select({ id: badges.id })
      .from(badges)
      .where(eq(badges.imageUploadId, upload.id));
    for (const badge of imageOf) {
      if (await ctx.access.canReadBadge(badge.id)) {
        return true;
      }
    }
    return false;
  }
  if (ctx.viewer === null) {
    return false;
  }
  const submissions = await ctx.db
    .selectDistinct({ userId: evidenceSubmissions.userId, badgeId: evidenceSubmissions.badgeId })
    .from(evidenceFiles)
    .innerJoin(evidenceRevisions, eq(evidenceRevisions.id, evidenceFiles.revisionId))
    .innerJoin(evidenceSubmissions, eq(evidenceSubmissions.id, evidenceRevisions.submissionId))
    .where(eq(evidenceFiles.uploadId, upload.id));
  if (submissions.some((submission) => submission.userId === ctx.viewer?.id)) {
    return true;
  }
  for (const badgeId of new Set(submissions.map((submission) => submission.badgeId))) {
    const [badge] = await ctx.db.select().from(badges).where(eq(badges.id, badgeId));
    if (badge && (await canManageBadge(ctx, badge))) {
      return true;
    }
  }
  return false;
}

/**
 * Loads an upload with its content when the viewer may read it. Returns null both for a missing
 * upload and for one the viewer may not read, so the two look the same.
 */
export async function loadReadableUpload(
  ctx: ServiceContext,
  uploadId: number,
): Promise<StoredUpload | null> {
  const [upload] = await ctx.db.select().from(uploads).where(eq(uploads.id, uploadId));
  if (!upload || !(await canReadUpload(ctx, upload))) {
    return null;
  }
  return upload;
}

/** Loads whether the viewer may read the upload with this id; false when it does not exist. */
export async function canReadUploadById(ctx: ServiceContext, uploadId: number): Promise<boolean> {
  const [upload] = await ctx.db
    .select({ id: uploads.id, ownerId: uploads.ownerId, purpose: uploads.purpose })
    .from(uploads)
    .where(eq(uploads.id, uploadId));
  return upload !== undefined && canReadUpload(ctx, upload);
}
