import type { BadgeImageTemplate } from '../../drizzle/tables/index.ts';
import {
  BADGE_IMAGE_SYMBOLS,
  badgeImagePath,
  setBadgeImage,
} from '../../server/services/badge-image.ts';
import { builder } from '../builder.ts';
import { COMMON_ERRORS } from '../errors.ts';
import { parseGlobalId } from '../ids.ts';
import { enumFromValues } from './enums.ts';

export const BadgeImageSymbolEnum = enumFromValues(
  'BadgeImageSymbol',
  BADGE_IMAGE_SYMBOLS,
  'A symbol that a template badge image shows in its middle.',
);

const BadgeImageTemplateRef = builder
  .objectRef<BadgeImageTemplate>('BadgeImageTemplate')
  .implement({
    description:
      'A badge image drawn by the server: a round medal in a colour, with a symbol in white or near-black, whichever contrasts more.',
    fields: (t) => ({
      color: t.exposeString('color', {
        description: 'The background colour, written #rrggbb in lower case.',
      }),
      symbol: t.field({
        type: BadgeImageSymbolEnum,
        description: 'The symbol in the middle.',
        resolve: (template) => template.symbol as (typeof BADGE_IMAGE_SYMBOLS)[number],
      }),
    }),
  });

/** Input of a template badge image, shared by createBadge and setBadgeImage. */
export const BadgeImageTemplateInput = builder.inputType('BadgeImageTemplateInput', {
  description: 'A badge image for the server to draw.',
  fields: (f) => ({
    color: f.string({
      required: true,
      description: 'The background colour, written #rrggbb, such as #2a6f97.',
    }),
    symbol: f.field({
      type: BadgeImageSymbolEnum,
      required: true,
      description: 'The symbol in the middle.',
    }),
  }),
});

/** Decodes an optional Upload id of an image input, naming the field in a ValidationError. */
export function parseImageUploadId(value: string | number | null | undefined): number | null {
  return value == null ? null : parseGlobalId(String(value), 'Upload', 'imageUploadId');
}

builder.drizzleObjectFields('badges', (t) => ({
  imageUrl: t.string({
    description:
      "Where the badge's image is served, relative to the server: /badges/<id>/image. It is the uploaded PNG or SVG, else an SVG drawn from imageTemplate, else a default drawing. Readable by those who may read the badge, and by anyone for badges of public communities.",
    resolve: (badge) => badgeImagePath(badge.id),
  }),
  imageTemplate: t.field({
    type: BadgeImageTemplateRef,
    nullable: true,
    description:
      'The template the image is drawn from; null when the badge has an uploaded image or the default drawing.',
    resolve: (badge) => (badge.imageUploadId === null ? badge.imageTemplate : null),
  }),
}));

builder.mutationFields((t) => ({
  setBadgeImage: t.drizzleField({
    type: 'badges',
    description:
      "Sets a badge's image to an uploaded image or a template, or back to the default drawing when neither is given; for those who manage the badge.",
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('SetBadgeImageInput', {
          description: 'A badge and its new image: imageUploadId or imageTemplate, or neither.',
          fields: (f) => ({
            badgeId: f.id({ required: true, description: 'The badge.' }),
            imageUploadId: f.id({
              description:
                'An Upload of purpose BADGE_IMAGE that the viewer uploaded; give this or imageTemplate.',
            }),
            imageTemplate: f.field({
              type: BadgeImageTemplateInput,
              description: 'A drawn image; give this or imageUploadId.',
            }),
          }),
        }),
      }),
    },
    resolve: async (query, _parent, { input }, ctx) => {
      const { id } = await setBadgeImage(ctx, {
        badgeId: parseGlobalId(String(input.badgeId), 'Badge', 'badgeId'),
        imageUploadId: parseImageUploadId(input.imageUploadId),
        imageTemplate: input.imageTemplate ?? null,
      });
      const badge = await ctx.db.query.badges.findFirst(query({ where: { id } }));
      if (!badge) {
        throw new Error(`Badge ${id} could not be read back after its image was set`);
      }
      return badge;
    },
  }),
}));
