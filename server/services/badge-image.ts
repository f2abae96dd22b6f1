import { createHash } from 'node:crypto';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { eq } from 'drizzle-orm';
import type { Database } from '../../drizzle/db.ts';
import {
  type BadgeImageTemplate,
  badges,
  communities,
  uploads,
} from '../../drizzle/tables/index.ts';
import { ValidationError } from '../errors.ts';
import { requireManagedBadge } from './badge-access.ts';
import { requireViewer, type ServiceContext } from './context.ts';

/** Symbols a template badge image can show. */
export const BADGE_IMAGE_SYMBOLS = [
  'star',
  'book',
  'lightbulb',
  'atom',
  'chat',
  'shield',
  'globe',
  'pencil',
] as const;
export type BadgeImageSymbol = (typeof BADGE_IMAGE_SYMBOLS)[number];

/** The image of a badge that has neither an uploaded image nor a template. */
export const DEFAULT_BADGE_TEMPLATE: BadgeImageTemplate = { color: '#2a6f97', symbol: 'star' };

const COLOR = /^#[0-9a-f]{6}$/i;

/** Returns the path a badge's image is served at, relative to PUBLIC_URL. */
export function badgeImagePath(badgeId: number): string {
  return `/badges/${encodeURIComponent(encodeGlobalID('Badge', badgeId))}/image`;
}

// Symbols are drawn in a 100x100 box with round strokes about 6 units wide, and the template
// places the box in the middle of the badge.
const SYMBOL_PATHS: Record<BadgeImageSymbol, (ink: string) => string> = {
  star: (ink) => `<polygon points="${starPoints(50, 53, 44, 18)}" fill="${ink}"/>`,
  book: (ink) =>
    `<g fill="none" stroke="${ink}" stroke-width="6" stroke-linejoin="round" stroke-linecap="round"><path d="M50 30C40 21 24 21 12 25V79C24 75 40 75 50 83C60 75 76 75 88 79V25C76 21 60 21 50 30Z"/><path d="M50 30V83"/></g>`,
  lightbulb: (ink) =>
    `<g fill="none" stroke="${ink}" stroke-width="6" stroke-linejoin="round" stroke-linecap="round"><path d="M38 62C30 55 26 47 26 39A24 24 0 1 1 74 39C74 47 70 55 62 62C60 64 60 66 60 68H40C40 66 40 64 38 62Z"/><path d="M41 78H59M44 88H56"/></g>`,
  atom: (ink) =>
    `<g fill="none" stroke="${ink}" stroke-width="5"><ellipse cx="50" cy="50" rx="42" ry="15"/><ellipse cx="50" cy="50" rx="42" ry="15" transform="rotate(60 50 50)"/><ellipse cx="50" cy="50" rx="42" ry="15" transform="rotate(120 50 50)"/></g><circle cx="50" cy="50" r="7" fill="${ink}"/>`,
  chat: (ink) =>
    `<path d="M18 20H82A8 8 0 0 1 90 28V64A8 8 0 0 1 82 72H48L30 88V72H18A8 8 0 0 1 10 64V28A8 8 0 0 1 18 20Z" fill="none" stroke="${ink}" stroke-width="6" stroke-linejoin="round"/><g fill="${ink}"><circle cx="32" cy="46" r="5"/><circle cx="50" cy="46" r="5"/><circle cx="68" cy="46" r="5"/></g>`,
  shield: (ink) =>
    `<g fill="none" stroke="${ink}" stroke-width="6" stroke-linejoin="round" stroke-linecap="round"><path d="M50 10L84 22V46C84 68 70 82 50 92C30 82 16 68 16 46V22Z"/><path d="M34 51L46 63L67 39"/></g>`,
  globe: (ink) =>
    `<g fill="none" stroke="${ink}" stroke-width="5" stroke-linecap="round"><circle cx="50" cy="50" r="40"/><ellipse cx="50" cy="50" rx="17" ry="40"/><path d="M10 50H90M16 30H84M16 70H84"/></g>`,
  pencil: (ink) =>
    `<g fill="none" stroke="${ink}" stroke-width="6" stroke-linejoin="round" stroke-linecap="round"><path d="M16 84L22 62L66 18L82 34L38 78Z"/><path d="M58 26L74 42M22 62L38 78"/></g><path d="M16 84L19 73L27 81Z" fill="${ink}"/>`,
};

/** Returns the points of a five-pointed star centred at (cx, cy), first point upwards. */
function starPoints(cx: number, cy: number, outer: number, inner: number): string {
  const points: string[] = [];
  for (let i = 0; i < 10; i++) {
    const radius = i % 2 === 0 ? outer : inner;
    const angle = (Math.PI / 5) * i - Math.PI / 2;
    points.push(
      `${(cx + radius * Math.cos(angle)).toFixed(1)},${(cy + radius * Math.sin(angle)).toFixed(1)}`,
    );
  }
  return points.join(' ');
}

/** Returns the relative luminance of an sRGB colour `#rrggbb`, as WCAG 2.1 defines it. */
function relativeLuminance(color: string): number {
  const channels = [1, 3, 5].map(
    (start) => Number.parseInt(color.slice(start, start + 2), 16) / 255,
  );
  const [r, g, b] = channels.map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
}

function contrastRatio(first: number, second: number): number {
  const [light, dark] = first > second ? [first, second] : [second, first];
  return (light + 0.05) / (dark + 0.05);
}

const LIGHT_INK = '#ffffff';
const DARK_INK = '#1b1f24';

/**
 * Picks the symbol colour, white or near-black, with the higher WCAG 2.1 contrast against the
 * background. The better of the two is at least 4:1 for every background, above the 3:1 that
 * WCAG 2.1 requires of graphics.
 */
export function symbolInk(background: string): string {
  const luminance = relativeLuminance(background);
  const onLight = contrastRatio(luminance, relativeLuminance(DARK_INK));
  const onDark = contrastRatio(luminance, relativeLuminance(LIGHT_INK));
  return onDark >= onLight ? LIGHT_INK : DARK_INK;
}

/** Mixes `share` (0 to 1) of `other` into `color`, both `#rrggbb`, for the badge's rim. */
function mix(color: string, other: string, share: number): string {
  const channel = (hex: string, start: number) => Number.parseInt(hex.slice(start, start + 2), 16);
  const parts = [1, 3, 5].map((start) =>
    Math.round(channel(color, start) * (1 - share) + channel(other, start) * share)
      .toString(16)
      .padStart(2, '0'),
  );
  return `#${parts.join('')}`;
}

/**
 * Draws a template badge image as SVG: a round medal in the colour, a rim in a shade of it, and
 * the symbol in white or near-black, whichever contrasts more. Throws a TypeError on a colour
 * that is not `#rrggbb` or an unknown symbol, which callers validate first.
 */
export function renderBadgeTemplate(template: BadgeImageTemplate): string {
  if (!COLOR.test(template.color)) {
    throw new TypeError(`Badge colour ${template.color} is not #rrggbb.`);
  }
  const draw = SYMBOL_PATHS[template.symbol as BadgeImageSymbol];
  if (!draw) {
    throw new TypeError(`Badge symbol ${template.symbol} is not one of ${BADGE_IMAGE_SYMBOLS}.`);
  }
  const color = template.color.toLowerCase();
  const ink = symbolInk(color);
  const rim = mix(color, ink === LIGHT_INK ? '#000000' : '#ffffff', 0.25);
  return [
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 256 256" width="256" height="256">',
    `<circle cx="128" cy="128" r="124" fill="${rim}"/>`,
    `<circle cx="128" cy="128" r="108" fill="${color}"/>`,
    `<circle cx="128" cy="128" r="98" fill="none" stroke="${ink}" stroke-opacity="0.35" stroke-width="3"/>`,
    `<g transform="translate(63 63) scale(1.3)">${draw(ink)}</g>`,
    '</svg>',
  ].join('');
}

/** A badge's image, ready to serve or bake. */
export interface BadgeImage {
  contentType: 'image/png' | 'image/svg+xml';
  content: Uint8Array;
  /** Hex SHA-256 of the content, for the ETag. */
  sha256: string;
  /** Whether the badge belongs to a public community, so anyone may fetch its image. */
  isPublic: boolean;
}

/**
 * Loads a badge's image without checking access: the uploaded image, else one drawn from its
 * template, else the default template. Returns null when the badge does not exist.
 */
export async function loadBadgeImage(db: Database, badgeId: number): Promise<BadgeImage | null> {
  const [badge] = await db
    .select({
      imageTemplate: badges.imageTemplate,
      visibility: communities.visibility,
      uploadType: uploads.contentType,
      uploadContent: uploads.content,
      uploadSha256: uploads.sha256,
    })
    .from(badges)
    .leftJoin(communities, eq(communities.id, badges.communityId))
    .leftJoin(uploads, eq(uploads.id, badges.imageUploadId))
    .where(eq(badges.id, badgeId));
  if (!badge) {
    return null;
  }
  const isPublic = badge.visibility === 'public';
  if (
    badge.uploadContent &&
    badge.uploadSha256 &&
    (badge.uploadType === 'image/png' || badge.uploadType === 'image/svg+xml')
  ) {
    return {
      contentType: badge.uploadType,
      content: new Uint8Array(badge.uploadContent),
      sha256: badge.uploadSha256,
      isPublic,
    };
  }
  const svg = renderBadgeTemplate(badge.imageTemplate ?? DEFAULT_BADGE_TEMPLATE);
  const content = new TextEncoder().encode(svg);
  return {
    contentType: 'image/svg+xml',
    content,
    sha256: createHash('sha256').update(content).digest('hex'),
    isPublic,
  };
}

/** The image a badge is defined with: an upload of the viewer's, or a template. */
export interface BadgeImageInput {
  imageUploadId?: number | null;
  imageTemplate?: { color: string; symbol: string } | null;
}

/**
 * Checks an image choice and returns the columns to store. The upload must be the viewer's own
 * and of purpose badge_image. Giving neither clears both, so the default image is drawn. Throws
 * ValidationError on `imageUploadId` or `imageTemplate`.
 */
export async function resolveBadgeImageInput(
  ctx: ServiceContext,
  input: BadgeImageInput,
): Promise<{ imageUploadId: number | null; imageTemplate: BadgeImageTemplate | null }> {
  const viewer = requireViewer(ctx);
  const uploadId = input.imageUploadId ?? null;
  const template = input.imageTemplate ?? null;
  if (uploadId !== null && template !== null) {
    throw ValidationError.of(
      'imageTemplate',
      'give either imageUploadId or imageTemplate, not both',
    );
  }
  if (template !== null) {
    if (!COLOR.test(template.color)) {
      throw ValidationError.of(
        'imageTemplate.color',
        `must be a colour written #rrggbb, such as #2a6f97; got "${template.color.slice(0, 20)}"`,
      );
    }
    if (!(BADGE_IMAGE_SYMBOLS as readonly string[]).includes(template.symbol)) {
      throw ValidationError.of(
        'imageTemplate.symbol',
        `must be one of ${BADGE_IMAGE_SYMBOLS.join(', ')}`,
      );
    }
    return {
      imageUploadId: null,
      imageTemplate: { color: template.color.toLowerCase(), symbol: template.symbol },
    };
  }
  if (uploadId !== null) {
    const [upload] = await ctx.db
      .select({ ownerId: uploads.ownerId, purpose: uploads.purpose })
      .from(uploads)
      .where(eq(uploads.id, uploadId));
    if (!upload || upload.ownerId !== viewer.id || upload.purpose !== 'badge_image') {
      throw ValidationError.of(
        'imageUploadId',
        'must name a BADGE_IMAGE upload of yours; upload the image with uploadFile first',
      );
    }
  }
  return { imageUploadId: uploadId, imageTemplate: null };
}

/**
 * Sets or replaces a badge's image, for those who manage the badge (NotFoundError when the viewer
 * may not read it, ForbiddenError when they read but do not manage it). Giving neither an upload
 * nor a template returns the badge to the default image.
 */
export async function setBadgeImage(
  ctx: ServiceContext,
  input: BadgeImageInput & { badgeId: number },
): Promise<{ id: number }> {
  const image = await resolveBadgeImageInput(ctx, input);
  const badge = await requireManagedBadge(ctx, input.badgeId, "change a badge's image");
  await ctx.db.update(badges).set(image).where(eq(badges.id, badge.id));
  ctx.log.debug({ badgeId: badge.id, ...image }, 'Badge image set');
  return { id: badge.id };
}
