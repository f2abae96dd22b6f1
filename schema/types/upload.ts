import { GraphQLError } from 'graphql';
import { UPLOAD_PURPOSES } from '../../drizzle/tables/index.ts';
import { RateLimitedError } from '../../server/errors.ts';
import { storeUpload } from '../../server/services/upload.ts';
import { uploadPath } from '../../server/services/upload-path.ts';
import { builder } from '../builder.ts';
import { COMMON_ERRORS } from '../errors.ts';
import { enumFromValues } from './enums.ts';

export const UploadPurposeEnum = enumFromValues(
  'UploadPurpose',
  UPLOAD_PURPOSES,
  'What an upload is for, which decides the types and sizes it may have.',
);

builder.scalarType('File', {
  description:
    'A file sent as a part of a multipart/form-data request, following the GraphQL multipart request specification. Input only; such a request must also send the X-Staffroom-CSRF header.',
  serialize: () => {
    throw new GraphQLError('File is an input type only.');
  },
  parseValue: (value) => {
    if (
      typeof value !== 'object' ||
      value === null ||
      typeof (value as File).arrayBuffer !== 'function' ||
      typeof (value as File).name !== 'string'
    ) {
      throw new GraphQLError(
        'File must be a file part of a multipart/form-data request, mapped to this variable.',
      );
    }
    return value as File;
  },
  parseLiteral: () => {
    throw new GraphQLError('File cannot be written in the query; send it as a multipart variable.');
  },
});

builder.drizzleNode('uploads', {
  name: 'Upload',
  description:
    'A stored file: a badge image or a file of evidence. Read by the person who uploaded it, by those who may read a badge whose image it is, and for evidence by the submitter and those who manage the badge it was submitted for.',
  id: { column: (upload) => upload.id },
  authScopes: (upload) => ({ readUpload: upload.id }),
  select: {
    columns: {
      id: true,
      ownerId: true,
      fileName: true,
      contentType: true,
      byteSize: true,
      createdAt: true,
      purpose: true,
    },
  },
  fields: (t) => ({
    fileName: t.exposeString('fileName', {
      description:
        'The name it was uploaded with, without folders or control characters, and with the extension of its content type.',
    }),
    contentType: t.exposeString('contentType', {
      description: 'Its media type, as checked from its content, such as image/png.',
    }),
    byteSize: t.exposeInt('byteSize', {
      description: 'Its size in bytes, as stored (an SVG after sanitizing).',
    }),
    purpose: t.field({
      type: UploadPurposeEnum,
      description: 'What it was uploaded for.',
      resolve: (upload) => upload.purpose,
    }),
    url: t.string({
      description: 'Where it is served, relative to the server: a path that starts with /uploads/.',
      resolve: (upload) => uploadPath(upload),
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When it was uploaded.',
      resolve: (upload) => upload.createdAt,
    }),
  }),
});

builder.mutationFields((t) => ({
  uploadFile: t.drizzleField({
    type: 'uploads',
    description:
      'Stores a file owned by the viewer, sent as a multipart/form-data request with the X-Staffroom-CSRF header. The type is decided from the content, never from the name or declared type. BADGE_IMAGE takes PNG (at most 2048x2048 pixels) or SVG (sanitized: scripts, event handlers, foreignObject, style sheets and external references are removed), at most 512 KB. EVIDENCE takes PDF, PNG, JPEG, WebP, plain text, DOCX, PPTX or XLSX, at most 10 MB. At most 200 uploads a day per person.',
    errors: { types: [...COMMON_ERRORS, RateLimitedError] },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('UploadFileInput', {
          description: 'A file and what it is for.',
          fields: (f) => ({
            file: f.field({
              type: 'File',
              required: true,
              description: 'The file, as a multipart part mapped to this variable.',
            }),
            purpose: f.field({
              type: UploadPurposeEnum,
              required: true,
              description: 'What the file is for.',
            }),
          }),
        }),
      }),
    },
    resolve: async (query, _parent, { input }, ctx) => {
      const stored = await storeUpload(ctx, { file: input.file, purpose: input.purpose });
      const upload = await ctx.db.query.uploads.findFirst(query({ where: { id: stored.id } }));
      if (!upload) {
        throw new Error(`Upload ${stored.id} was stored but could not be read back`);
      }
      return upload;
    },
  }),
}));
