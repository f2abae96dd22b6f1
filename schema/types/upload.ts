import { uploadPath } from '../../server/services/upload-path.ts';
import { builder } from '../builder.ts';

builder.drizzleNode('uploads', {
  name: 'Upload',
  description:
    'A stored file: a badge image or a file of evidence. Read by the person who uploaded it, and by those who may see what it is attached to.',
  id: { column: (upload) => upload.id },
  authScopes: (upload) => (upload.ownerId === null ? false : { isViewer: upload.ownerId }),
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
    fileName: t.exposeString('fileName', { description: 'The name it was uploaded with.' }),
    contentType: t.exposeString('contentType', {
      description: 'Its media type, as checked from its content, such as image/png.',
    }),
    byteSize: t.exposeInt('byteSize', { description: 'Its size in bytes.' }),
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
