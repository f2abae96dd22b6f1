/**
 * File uploads over GraphQL multipart requests, served at /uploads/<id>/<name>: content-based
 * type checks, size and pixel limits, SVG sanitizing, file name cleaning, the CSRF header, the
 * daily limit, and who may read evidence files. Badge images, uploaded or drawn from a template,
 * and credentials baked into PNG and SVG downloads that verify.
 */

import { deflateSync } from 'node:zlib';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  badgeAwards,
  districtAdmins,
  districts,
  evidenceFiles,
  evidenceRevisions,
  evidenceSubmissions,
  rateLimits,
  uploads,
  users,
} from '../../drizzle/tables/index.ts';
import { crc32, extractBakedCredential, readPngSize } from '../../server/credentials/baking.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import { HOSTILE_SVG, makePdf, makePng, PLAIN_SVG } from '../helpers/images.ts';
import {
  type Json,
  mutate,
  rowIdOf,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

const CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox";

const UPLOAD_MUTATION = `mutation($input: UploadFileInput!) { uploadFile(input: $input) {
  __typename
  ... on Error { message }
  ... on ValidationError { issues { path message } }
  ... on RateLimitedError { retryAfterSeconds }
  ... on MutationUploadFileSuccess { data { id fileName contentType byteSize purpose url } }
} }`;

interface UploadRequest {
  bytes: Uint8Array | string;
  name: string;
  purpose: 'BADGE_IMAGE' | 'EVIDENCE';
  /** The declared media type of the part; application/octet-stream when omitted. */
  type?: string;
  token?: string;
  headers?: Record<string, string>;
}

/**
 * Rebuilds a PNG with the data of each chunk of `type` replaced by `replace(data)`, or the chunk
 * dropped when it returns null. Chunk CRCs are computed again, so only the change is wrong.
 */
function editPngChunks(
  png: Uint8Array,
  type: string,
  replace: (data: Uint8Array) => Uint8Array | null,
): Uint8Array {
  const bytes = Buffer.from(png);
  const parts: Buffer[] = [bytes.subarray(0, 8)];
  let offset = 8;
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const chunkType = bytes.toString('latin1', offset + 4, offset + 8);
    const end = offset + 12 + length;
    if (chunkType !== type) {
      parts.push(bytes.subarray(offset, end));
    } else {
      const data = replace(bytes.subarray(offset + 8, offset + 8 + length));
      if (data !== null) {
        const header = Buffer.alloc(8);
        header.writeUInt32BE(data.length);
        header.write(type, 4, 'latin1');
        const crc = Buffer.alloc(4);
        crc.writeUInt32BE(crc32(Buffer.concat([header.subarray(4), data])));
        parts.push(header, Buffer.from(data), crc);
      }
    }
    offset = end;
  }
  return Buffer.concat(parts);
}

/** Sends uploadFile as a GraphQL multipart request, as the web client does. */
async function postUpload(
  server: TestServer,
  request: UploadRequest,
): Promise<{ status: number; body: Json }> {
  const form = new FormData();
  form.set(
    'operations',
    JSON.stringify({
      query: UPLOAD_MUTATION,
      variables: { input: { file: null, purpose: request.purpose } },
    }),
  );
  form.set('map', JSON.stringify({ 0: ['variables.input.file'] }));
  const bytes =
    typeof request.bytes === 'string' ? new TextEncoder().encode(request.bytes) : request.bytes;
  form.set(
    '0',
    new Blob([new Uint8Array(bytes)], { type: request.type ?? 'application/octet-stream' }),
    request.name,
  );
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: {
      ...(request.token ? { authorization: `Bearer ${request.token}` } : {}),
      ...request.headers,
    },
    body: form,
  });
  const text = await response.text();
  let body: Json;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, body };
}

/** Uploads a file and returns the stored Upload, failing the test on any error. */
async function uploadOk(server: TestServer, request: UploadRequest): Promise<Json> {
  const { status, body } = await postUpload(server, request);
  const result = body?.data?.uploadFile;
  if (status !== 200 || result?.__typename !== 'MutationUploadFileSuccess') {
    throw new Error(`uploadFile failed with ${status}: ${JSON.stringify(body)}`);
  }
  return result.data;
}

async function fetchPath(
  server: TestServer,
  path: string,
  options: { token?: string; headers?: Record<string, string>; method?: string } = {},
): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: options.method ?? 'GET',
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
  });
}

describe.each(await databaseKinds())('uploads on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let facilitator: { id: string; token: string; email: string };
  let member: { id: string; token: string; email: string };
  let outsider: { id: string; token: string; email: string };
  let otherFacilitator: { id: string; token: string; email: string };
  let community: { id: string; slug: string };
  let privateCommunity: { id: string; slug: string };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    facilitator = await signUpUser(server, { displayName: 'Fern Facilitator' });
    member = await signUpUser(server, { displayName: 'Mo Member' });
    outsider = await signUpUser(server, { displayName: 'Oda Outside' });
    otherFacilitator = await signUpUser(server, { displayName: 'Otto Other' });
    community = await mutate(
      server,
      'createCommunity',
      'CreateCommunityInput',
      { name: 'Upload Lab', focus: 'STEM', visibility: 'PUBLIC' },
      'id slug',
      facilitator.token,
    );
    privateCommunity = await mutate(
      server,
      'createCommunity',
      'CreateCommunityInput',
      { name: 'Quiet Lab', focus: 'STEM', visibility: 'PRIVATE' },
      'id slug',
      facilitator.token,
    );
    await mutate(
      server,
      'createCommunity',
      'CreateCommunityInput',
      { name: 'Other Lab', focus: 'LITERACY', visibility: 'PUBLIC' },
      'id',
      otherFacilitator.token,
    );
    await mutate(
      server,
      'joinCommunity',
      'CommunityIdInput',
      { communityId: community.id },
      'id',
      member.token,
    );
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  async function uploadCount(): Promise<number> {
    const [row] = await server.database.db.select({ value: count() }).from(uploads);
    return row?.value ?? 0;
  }

  async function createBadge(
    token: string,
    fields: Record<string, unknown>,
  ): Promise<{ status: number; result: Json }> {
    const created = await server.graphql(
      `mutation($input: CreateBadgeInput!) { createBadge(input: $input) {
        __typename ... on Error { message } ... on ValidationError { issues { path message } }
        ... on MutationCreateBadgeSuccess { data { id imageUrl imageTemplate { color symbol } } } } }`,
      {
        input: {
          communityId: community.id,
          name: `Image badge ${Math.random().toString(36).slice(2, 8)}`,
          description: 'Shows its image.',
          criteria: 'Take part.',
          isteStandards: ['LEARNER'],
          ...fields,
        },
      },
      { token },
    );
    return { status: created.status, result: created.body.data.createBadge };
  }

  // The evidence mutations are not part of this suite, so the rows are written directly.
  async function attachEvidence(badgeId: string, userId: string, uploadId: string): Promise<void> {
    const db = server.database.db;
    const [submission] = await db
      .insert(evidenceSubmissions)
      .values({ badgeId: rowIdOf(badgeId), userId: rowIdOf(userId) })
      .returning({ id: evidenceSubmissions.id });
    const [revision] = await db
      .insert(evidenceRevisions)
      .values({
        submissionId: submission?.id ?? 0,
        number: 1,
        reflection: 'I ran the walkthrough twice.',
      })
      .returning({ id: evidenceRevisions.id });
    await db
      .insert(evidenceFiles)
      .values({ revisionId: revision?.id ?? 0, uploadId: rowIdOf(uploadId), position: 0 });
  }

  describe('uploadFile', () => {
    test('stores and serves a PNG with safe headers', async () => {
      const png = makePng(8, 8);
      const before = await uploadCount();

      const upload = await uploadOk(server, {
        bytes: png,
        name: 'lab-badge.png',
        purpose: 'BADGE_IMAGE',
        type: 'image/png',
        token: facilitator.token,
      });
      const served = await fetchPath(server, upload.url, { token: facilitator.token });
      const body = new Uint8Array(await served.arrayBuffer());
      const [row] = await server.database.db
        .select({ sha256: uploads.sha256, ownerId: uploads.ownerId })
        .from(uploads)
        .where(eq(uploads.id, rowIdOf(upload.id)));
      const etag = served.headers.get('etag') ?? '';
      const again = await fetchPath(server, upload.url, {
        token: facilitator.token,
        headers: { 'if-none-match': etag },
      });

      expect(await uploadCount()).toBe(before + 1);
      expect(upload.fileName).toBe('lab-badge.png');
      expect(upload.contentType).toBe('image/png');
      expect(upload.byteSize).toBe(png.length);
      expect(upload.purpose).toBe('BADGE_IMAGE');
      expect(upload.url).toBe(`/uploads/${encodeURIComponent(upload.id)}/lab-badge.png`);
      expect(row?.ownerId).toBe(rowIdOf(facilitator.id));
      expect(served.status).toBe(200);
      expect(Buffer.from(body).equals(Buffer.from(png))).toBe(true);
      expect(served.headers.get('content-type')).toBe('image/png');
      expect(served.headers.get('x-content-type-options')).toBe('nosniff');
      expect(served.headers.get('content-security-policy')).toBe(CSP);
      expect(served.headers.get('content-disposition')).toMatch(
        /^inline; filename="lab-badge.png"/,
      );
      expect(served.headers.get('cache-control')).toContain('private');
      expect(etag).toBe(`"${row?.sha256}"`);
      expect(again.status).toBe(304);
    });

    test('accepts multipart with the CSRF header and a cookie', async () => {
      const signIn = await server.graphql(
        `mutation($input: SignInInput!) { signIn(input: $input) { __typename } }`,
        {
          input: {
            email: member.email,
            password: 'correct horse battery staple',
            session: 'COOKIE',
          },
        },
      );
      const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const before = await uploadCount();

      const withoutHeader = await postUpload(server, {
        bytes: makePng(),
        name: 'a.png',
        purpose: 'BADGE_IMAGE',
        headers: { cookie },
      });
      const countAfterRejection = await uploadCount();
      const withHeader = await postUpload(server, {
        bytes: makePng(),
        name: 'a.png',
        purpose: 'BADGE_IMAGE',
        headers: { cookie, 'x-staffroom-csrf': '1' },
      });

      expect(cookie).toMatch(/^staffroom_session=/);
      expect(withoutHeader.status).toBe(403);
      expect(JSON.stringify(withoutHeader.body)).toContain('CSRF');
      expect(countAfterRejection).toBe(before);
      expect(withHeader.status).toBe(200);
      expect(withHeader.body.data.uploadFile.__typename).toBe('MutationUploadFileSuccess');
      expect(await uploadCount()).toBe(before + 1);
    });

    test('requires a signed-in viewer', async () => {
      const { body } = await postUpload(server, {
        bytes: makePng(),
        name: 'a.png',
        purpose: 'BADGE_IMAGE',
        headers: { 'x-staffroom-csrf': '1' },
      });

      expect(body.data.uploadFile.__typename).toBe('UnauthenticatedError');
    });

    test.each([
      ['a PNG named .svg', makePng(), 'badge.svg', 'BADGE_IMAGE', /name ends in \.svg.*PNG image/],
      [
        'an HTML page named .png',
        '<!DOCTYPE html><html><body><script>alert(1)</script></body></html>',
        'badge.png',
        'BADGE_IMAGE',
        /content is HTML or XML, which is not a supported type; a badge image must be PNG or SVG/,
      ],
      [
        'an HTML page as evidence',
        '<html><body>hello</body></html>',
        'notes.txt',
        'EVIDENCE',
        /content is HTML or XML, which is not a supported type; evidence must be PDF/,
      ],
      [
        'an SVG that is not SVG',
        '<?xml version="1.0"?><svg><circle r="4"/></svg>',
        'plain.svg',
        'BADGE_IMAGE',
        /is not an SVG image/,
      ],
      [
        'malformed SVG',
        '<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"></svg>',
        'broken.svg',
        'BADGE_IMAGE',
        /is not an SVG image/,
      ],
      [
        'an SVG declaring entities',
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
        'entities.svg',
        'BADGE_IMAGE',
        /declares XML entities/,
      ],
      ['a PDF as a badge image', makePdf(), 'badge.pdf', 'BADGE_IMAGE', /content is a PDF/],
      ['an SVG as evidence', PLAIN_SVG, 'drawing.svg', 'EVIDENCE', /content is an SVG image/],
      [
        'a ZIP as evidence',
        Buffer.from('504b0304140000000000000000000000000000000000000000000000', 'hex'),
        'files.zip',
        'EVIDENCE',
        /content is not a supported type \(it was detected as ZIP\); evidence must be PDF/,
      ],
      [
        'UTF-16 text with a byte order mark',
        Buffer.concat([
          Buffer.from([0xff, 0xfe]),
          Buffer.from('Reflection on the lab safety walkthrough.\n', 'utf16le'),
        ]),
        'notes.txt',
        'EVIDENCE',
        /content is UTF-16 text, which is not a supported type \(save it as UTF-8\); evidence must be PDF, PNG, JPEG, WebP, plain text in UTF-8, DOCX, PPTX or XLSX/,
      ],
      [
        'big-endian UTF-16 text',
        Buffer.from('Reflection on the lab safety walkthrough.\n', 'utf16le').swap16(),
        'notes.txt',
        'EVIDENCE',
        /content is UTF-16 text/,
      ],
      [
        'a PNG without image data',
        editPngChunks(makePng(), 'IDAT', () => null),
        'blank.png',
        'BADGE_IMAGE',
        /not a valid PNG image: it has no image data \(IDAT chunk\)/,
      ],
      [
        'a PNG evidence file without image data',
        editPngChunks(makePng(), 'IDAT', () => null),
        'blank.png',
        'EVIDENCE',
        /not a valid PNG image: it has no image data \(IDAT chunk\)/,
      ],
      [
        'a PNG with too little image data',
        editPngChunks(makePng(4, 4), 'IDAT', () => deflateSync(Buffer.alloc(13))),
        'short.png',
        'BADGE_IMAGE',
        /not a valid PNG image: its image data has 13 bytes where its size in pixels needs 52/,
      ],
      [
        'a PNG with image data that does not decompress',
        editPngChunks(makePng(), 'IDAT', (data) => data.subarray(0, 6)),
        'cut.png',
        'BADGE_IMAGE',
        /not a valid PNG image: its image data is damaged or cut short/,
      ],
      ['an empty file', new Uint8Array(), 'empty.png', 'BADGE_IMAGE', /is empty/],
    ] as const)('rejects %s', async (_name, bytes, fileName, purpose, message) => {
      const before = await uploadCount();

      const { body } = await postUpload(server, {
        bytes,
        name: fileName,
        purpose,
        token: member.token,
      });
      const result = body.data.uploadFile;

      expect(result.__typename).toBe('ValidationError');
      expect(result.issues[0].path).toEqual(['file']);
      expect(result.issues[0].message).toMatch(message);
      expect(await uploadCount()).toBe(before);
    });

    test('rejects a declared type that contradicts the content', async () => {
      const before = await uploadCount();

      for (const type of ['image/svg+xml', 'text/html', 'image/gif', 'text/html; charset=utf-8']) {
        const { body } = await postUpload(server, {
          bytes: makePng(),
          name: 'badge',
          purpose: 'BADGE_IMAGE',
          type,
          token: member.token,
        });
        const declared = type.split(';')[0];

        expect(body.data.uploadFile.__typename, type).toBe('ValidationError');
        expect(body.data.uploadFile.message, type).toContain(
          `sent as ${declared}, but its content is a PNG image (image/png)`,
        );
      }
      expect(await uploadCount()).toBe(before);
    });

    test('accepts declared types that fit the content', async () => {
      const cases: [Uint8Array | string, string, string][] = [
        [makePng(), 'badge.png', ''],
        [makePng(), 'badge.png', 'application/octet-stream'],
        [makePng(), 'badge.png', 'image/png'],
        ['Name,Role\nFern,Facilitator\n', 'roster.csv', 'application/vnd.ms-excel'],
        ['# Notes\n', 'notes.md', 'text/markdown'],
      ];

      for (const [bytes, name, type] of cases) {
        const { body } = await postUpload(server, {
          bytes,
          name,
          purpose: 'EVIDENCE',
          type,
          token: member.token,
        });

        expect(body.data.uploadFile.__typename, type).toBe('MutationUploadFileSuccess');
      }
    });

    test('serves a sanitized SVG without active content', async () => {
      const upload = await uploadOk(server, {
        bytes: HOSTILE_SVG,
        name: 'hostile.svg',
        purpose: 'BADGE_IMAGE',
        token: member.token,
      });
      const served = await fetchPath(server, upload.url, { token: member.token });
      const svg = await served.text();

      expect(upload.contentType).toBe('image/svg+xml');
      expect(served.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
      expect(served.headers.get('content-security-policy')).toBe(CSP);
      expect(svg).toMatch(/^<svg /);
      expect(svg).toContain('<circle');
      expect(svg).toContain('url(#shade)');
      expect(svg).toContain('>Badge</text>');
      for (const forbidden of [
        /<script/i,
        /onload/i,
        /onclick/i,
        /onmouseover/i,
        /foreignObject/i,
        /<iframe/i,
        /javascript:/i,
        /attacker\.example/i,
        /<style/i,
        /<animate/i,
        /<set/i,
        /xml-stylesheet/i,
      ]) {
        expect(svg, String(forbidden)).not.toMatch(forbidden);
      }
      expect(upload.byteSize).toBe(new TextEncoder().encode(svg).length);
    });

    test('removes CSS fetches and animation from an SVG', async () => {
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">
        <rect width="100" height="100" fill="#2a6f97" style="mask: u\\72l(http://attacker.example/mask); -webkit-mask-image: image-set('http://attacker.example/webkit-mask' 1x); cursor: u\\72l(http://attacker.example/cursor), auto; background: image-set('http://attacker.example/background' 1x)"/>
        <circle r="10" mask="u\\72l(http://attacker.example/attribute-mask)" cursor="image-set('http://attacker.example/c' 1x), auto">
          <animateTransform attributeName="transform" type="rotate" from="0" to="360" dur="1s"/>
          <animateMotion dur="2s" path="M0 0L50 50"/>
        </circle>
      </svg>`;

      const upload = await uploadOk(server, {
        bytes: svg,
        name: 'spinner.svg',
        purpose: 'BADGE_IMAGE',
        token: member.token,
      });
      const served = await (await fetchPath(server, upload.url, { token: member.token })).text();

      expect(served).toContain('<rect');
      expect(served).toContain('fill="#2a6f97"');
      expect(served).not.toContain('attacker.example');
      expect(served).not.toContain('style=');
      expect(served).not.toMatch(/image-set/i);
      expect(served).not.toMatch(/animateTransform/i);
      expect(served).not.toMatch(/animateMotion/i);
    });

    test('rejects a badge image over 512 KB and stores nothing', async () => {
      const large = makePng(4, 4, { padding: 600 * 1024 });
      const before = await uploadCount();

      const { body } = await postUpload(server, {
        bytes: large,
        name: 'large.png',
        purpose: 'BADGE_IMAGE',
        token: member.token,
      });

      expect(body.data.uploadFile.__typename).toBe('ValidationError');
      expect(body.data.uploadFile.message).toContain('at most 512 KB');
      expect(await uploadCount()).toBe(before);
    });

    test('rejects evidence over 10 MB and stores nothing', async () => {
      const before = await uploadCount();
      const justOver = 'a'.repeat(10 * 1024 * 1024 + 1);
      const farOver = 'a'.repeat(12 * 1024 * 1024);

      const near = await postUpload(server, {
        bytes: justOver,
        name: 'notes.txt',
        purpose: 'EVIDENCE',
        token: member.token,
      });
      const far = await postUpload(server, {
        bytes: farOver,
        name: 'notes.txt',
        purpose: 'EVIDENCE',
        token: member.token,
      });

      expect(near.body.data.uploadFile.__typename).toBe('ValidationError');
      expect(near.body.data.uploadFile.message).toContain('is 10.0 MB (10,485,761 bytes)');
      expect(near.body.data.uploadFile.message).toContain('at most 10 MB (10,485,760 bytes)');
      expect(far.status).toBe(413);
      expect(far.body.errors[0].message).toContain('10 MB');
      expect(await uploadCount()).toBe(before);
    });

    test('rejects a PNG larger than 2048 pixels', async () => {
      const { body } = await postUpload(server, {
        bytes: makePng(2049, 1),
        name: 'wide.png',
        purpose: 'BADGE_IMAGE',
        token: member.token,
      });

      expect(body.data.uploadFile.__typename).toBe('ValidationError');
      expect(body.data.uploadFile.message).toContain('2049x1 pixels');
      expect(body.data.uploadFile.message).toContain('2048x2048');
    });

    test('cleans file names', async () => {
      const cases: [string, string][] = [
        ['../../etc/pass\u0007wd.txt', 'passwd.txt'],
        ['C:\\Users\\fern\\notes.txt', 'notes.txt'],
        ['..hidden.txt', 'hidden.txt'],
        ['report\u202etxt.txt', 'reporttxt.txt'],
        ['report\u200fcard.txt', 'reportcard.txt'],
        ['\u2067report\u2069 \u200bcard\u2060.txt', 'report card.txt'],
        ['report\ufeff\u061c\u200e\u2028.txt', 'report.txt'],
        ['team \u{1f469}\u200d\u{1f3eb} notes.txt', 'team \u{1f469}\u200d\u{1f3eb} notes.txt'],
        ['no-extension', 'no-extension.txt'],
        [`${'x'.repeat(300)}.txt`, `${'x'.repeat(251)}.txt`],
      ];

      for (const [name, expected] of cases) {
        const upload = await uploadOk(server, {
          bytes: 'Reflection on the lab safety walkthrough.\n',
          name,
          purpose: 'EVIDENCE',
          token: member.token,
        });
        expect(upload.fileName, name).toBe(expected);
        expect(upload.contentType).toBe('text/plain');
      }
    });

    test('serves a Unicode file name', async () => {
      const upload = await uploadOk(server, {
        bytes: 'Notes from the café meeting.\n',
        name: 'Café "notes".txt',
        purpose: 'EVIDENCE',
        token: member.token,
      });
      const served = await fetchPath(server, upload.url, { token: member.token });

      expect(upload.fileName).toBe('Café "notes".txt');
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(served.headers.get('content-disposition')).toBe(
        `attachment; filename="Caf_ _notes_.txt"; filename*=UTF-8''Caf%C3%A9%20%22notes%22.txt`,
      );
    });

    test('accepts each evidence type', async () => {
      const pdf = await uploadOk(server, {
        bytes: makePdf(),
        name: 'plan.pdf',
        purpose: 'EVIDENCE',
        token: member.token,
      });
      const png = await uploadOk(server, {
        bytes: makePng(),
        name: 'photo.png',
        purpose: 'EVIDENCE',
        token: member.token,
      });

      expect(pdf.contentType).toBe('application/pdf');
      expect(png.contentType).toBe('image/png');
    });

    test('limits uploads per person per day', async () => {
      const person = await signUpUser(server);
      const key = `upload:user:${rowIdOf(person.id)}`;
      await server.database.db.insert(rateLimits).values({
        key,
        hits: 200,
        windowEndsAt: sql`now() + interval '1 day'`,
      });
      const before = await uploadCount();

      const { body } = await postUpload(server, {
        bytes: makePng(),
        name: 'one-too-many.png',
        purpose: 'BADGE_IMAGE',
        token: person.token,
      });

      expect(body.data.uploadFile.__typename).toBe('RateLimitedError');
      expect(body.data.uploadFile.retryAfterSeconds).toBeGreaterThan(80_000);
      expect(body.data.uploadFile.message).toContain('try again in about 24 hours');
      expect(body.data.uploadFile.message).not.toMatch(/\d{3,} seconds/);
      expect(await uploadCount()).toBe(before);
    });
  });

  describe('evidence access', () => {
    let evidence: Json;
    let badgeId: string;

    beforeAll(async () => {
      evidence = await uploadOk(server, {
        bytes: makePdf(),
        name: 'walkthrough.pdf',
        purpose: 'EVIDENCE',
        token: member.token,
      });
      const created = await createBadge(facilitator.token, { kind: 'MICROCREDENTIAL' });
      badgeId = created.result.data.id;
    });

    const attachToSubmission = () => attachEvidence(badgeId, member.id, evidence.id);

    test('owner downloads it as an attachment', async () => {
      const served = await fetchPath(server, evidence.url, { token: member.token });

      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toBe('application/pdf');
      expect(served.headers.get('content-disposition')).toMatch(
        /^attachment; filename="walkthrough.pdf"/,
      );
      expect(served.headers.get('cross-origin-resource-policy')).toBe('same-origin');
      expect(served.headers.get('cache-control')).toBe('private, no-cache');
      expect(served.headers.get('x-content-type-options')).toBe('nosniff');
      expect(served.headers.get('content-security-policy')).toBe(CSP);
    });

    test('others get the same 404 as a missing file', async () => {
      const missingPath = evidence.url.replace(
        encodeURIComponent(evidence.id),
        encodeURIComponent(Buffer.from('Upload:999999').toString('base64')),
      );

      const asOutsider = await fetchPath(server, evidence.url, { token: outsider.token });
      const signedOut = await fetchPath(server, evidence.url);
      const missing = await fetchPath(server, missingPath, { token: outsider.token });
      const wrongName = await fetchPath(server, evidence.url.replace('walkthrough', 'other'), {
        token: member.token,
      });
      const node = await server.graphql(
        'query($id: ID!) { node(id: $id) { id } }',
        { id: evidence.id },
        { token: outsider.token },
      );
      const outsiderText = await asOutsider.text();

      expect(asOutsider.status).toBe(404);
      expect(signedOut.status).toBe(404);
      expect(missing.status).toBe(404);
      expect(wrongName.status).toBe(404);
      expect(outsiderText).toBe(await missing.text());
      expect(node.body.data.node).toBeNull();
    });

    test('badge managers read it once a submission lists it', async () => {
      const beforeSubmission = await fetchPath(server, evidence.url, { token: facilitator.token });
      await attachToSubmission();

      const manager = await fetchPath(server, evidence.url, { token: facilitator.token });
      const otherManager = await fetchPath(server, evidence.url, {
        token: otherFacilitator.token,
      });
      const node = await server.graphql(
        'query($id: ID!) { node(id: $id) { ... on Upload { fileName } } }',
        { id: evidence.id },
        { token: facilitator.token },
      );
      const submitter = await fetchPath(server, evidence.url, { token: member.token });

      expect(beforeSubmission.status).toBe(404);
      expect(manager.status).toBe(200);
      expect(Buffer.from(await manager.arrayBuffer()).equals(Buffer.from(makePdf()))).toBe(true);
      expect(otherManager.status).toBe(404);
      expect(node.body.data.node.fileName).toBe('walkthrough.pdf');
      expect(submitter.status).toBe(200);
    });
  });

  describe('district badge files', () => {
    test('district admins read evidence and staff read the image', async () => {
      const admin = await signUpUser(server, { displayName: 'Dana Admin' });
      const staff = await signUpUser(server, { displayName: 'Sam Staff' });
      const otherAdmin = await signUpUser(server, { displayName: 'Ola Other' });
      const db = server.database.db;
      const [district, other] = await db
        .insert(districts)
        .values([
          { slug: `riverbend-${kind}`, name: 'Riverbend Unified' },
          { slug: `lakeside-${kind}`, name: 'Lakeside County' },
        ])
        .returning();
      await db.insert(districtAdmins).values([
        { districtId: district?.id ?? 0, userId: rowIdOf(admin.id) },
        { districtId: other?.id ?? 0, userId: rowIdOf(otherAdmin.id) },
      ]);
      for (const person of [admin, staff]) {
        await db
          .update(users)
          .set({ districtId: district?.id ?? 0 })
          .where(eq(users.id, rowIdOf(person.id)));
      }
      const { result } = await createBadge(admin.token, {
        communityId: undefined,
        districtId: encodeGlobalID('District', district?.id ?? 0),
        kind: 'MICROCREDENTIAL',
        imageTemplate: { color: '#335577', symbol: 'PENCIL' },
      });
      const evidence = await uploadOk(server, {
        bytes: makePdf(),
        name: 'inquiry.pdf',
        purpose: 'EVIDENCE',
        token: staff.token,
      });
      await attachEvidence(result.data.id, staff.id, evidence.id);

      const asAdmin = await fetchPath(server, evidence.url, { token: admin.token });
      const asOtherAdmin = await fetchPath(server, evidence.url, { token: otherAdmin.token });
      const imageForStaff = await fetchPath(server, result.data.imageUrl, { token: staff.token });
      const imageForOutsider = await fetchPath(server, result.data.imageUrl, {
        token: outsider.token,
      });

      expect(result.__typename).toBe('MutationCreateBadgeSuccess');
      expect(asAdmin.status).toBe(200);
      expect(asOtherAdmin.status).toBe(404);
      expect(imageForStaff.status).toBe(200);
      expect(imageForStaff.headers.get('cache-control')).toBe('private, no-cache');
      expect(imageForOutsider.status).toBe(404);
    });
  });

  describe('badge images', () => {
    test('draws a template image readable without sign-in', async () => {
      const { result } = await createBadge(facilitator.token, {
        imageTemplate: { color: '#FFCC00', symbol: 'LIGHTBULB' },
      });
      const badge = result.data;
      const served = await fetchPath(server, badge.imageUrl);
      const svg = await served.text();

      expect(result.__typename).toBe('MutationCreateBadgeSuccess');
      expect(badge.imageTemplate).toEqual({ color: '#ffcc00', symbol: 'LIGHTBULB' });
      expect(badge.imageUrl).toBe(`/badges/${encodeURIComponent(badge.id)}/image`);
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
      expect(served.headers.get('content-security-policy')).toBe(CSP);
      expect(served.headers.get('x-content-type-options')).toBe('nosniff');
      expect(served.headers.get('cache-control')).toBe('public, no-cache');
      expect(svg).toContain('fill="#ffcc00"');
      // A light background gets the dark symbol.
      expect(svg).toContain('#1b1f24');
    });

    test('draws a template preview from its query', async () => {
      const preview = await fetchPath(server, '/badges/preview.svg?color=%23AA3300&symbol=ATOM');
      const badColor = await fetchPath(server, '/badges/preview.svg?color=red&symbol=ATOM');
      const badSymbol = await fetchPath(server, '/badges/preview.svg?color=%23aa3300&symbol=cat');

      expect(preview.status).toBe(200);
      expect(preview.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
      expect(preview.headers.get('content-security-policy')).toBe(CSP);
      expect(await preview.text()).toContain('fill="#aa3300"');
      expect(badColor.status).toBe(400);
      expect(badSymbol.status).toBe(400);
    });

    test('draws the default image for a badge without one', async () => {
      const { result } = await createBadge(facilitator.token, {});
      const served = await fetchPath(server, result.data.imageUrl);

      expect(result.data.imageTemplate).toBeNull();
      expect(served.status).toBe(200);
      expect(await served.text()).toMatch(/^<svg [^>]*viewBox="0 0 256 256"/);
    });

    test('serves an uploaded PNG image', async () => {
      const png = makePng(16, 16, { rgb: [200, 30, 30] });
      const upload = await uploadOk(server, {
        bytes: png,
        name: 'red.png',
        purpose: 'BADGE_IMAGE',
        token: facilitator.token,
      });
      const { result } = await createBadge(facilitator.token, { imageUploadId: upload.id });
      const served = await fetchPath(server, result.data.imageUrl);
      const body = Buffer.from(await served.arrayBuffer());
      const uploadForMember = await fetchPath(server, upload.url, { token: member.token });

      expect(result.data.imageTemplate).toBeNull();
      expect(served.headers.get('content-type')).toBe('image/png');
      expect(body.equals(Buffer.from(png))).toBe(true);
      expect(uploadForMember.status).toBe(200);
    });

    test('rejects an image upload that is not usable', async () => {
      const others = await uploadOk(server, {
        bytes: makePng(),
        name: 'mine.png',
        purpose: 'BADGE_IMAGE',
        token: member.token,
      });
      const evidence = await uploadOk(server, {
        bytes: makePng(),
        name: 'evidence.png',
        purpose: 'EVIDENCE',
        token: facilitator.token,
      });

      const notOwn = await createBadge(facilitator.token, { imageUploadId: others.id });
      const notImage = await createBadge(facilitator.token, { imageUploadId: evidence.id });
      const both = await createBadge(facilitator.token, {
        imageUploadId: evidence.id,
        imageTemplate: { color: '#000000', symbol: 'STAR' },
      });
      const badColor = await createBadge(facilitator.token, {
        imageTemplate: { color: 'red', symbol: 'STAR' },
      });

      expect(notOwn.result.__typename).toBe('ValidationError');
      expect(notOwn.result.issues[0].path).toEqual(['imageUploadId']);
      expect(notImage.result.__typename).toBe('ValidationError');
      expect(both.result.__typename).toBe('ValidationError');
      expect(badColor.result.issues[0].path).toEqual(['imageTemplate', 'color']);
    });

    test('private badge images stay private', async () => {
      const created = await server.graphql(
        `mutation($input: CreateBadgeInput!) { createBadge(input: $input) {
          ... on MutationCreateBadgeSuccess { data { id imageUrl } } } }`,
        {
          input: {
            communityId: privateCommunity.id,
            name: 'Quiet badge',
            description: 'Private.',
            criteria: 'Take part.',
            isteStandards: ['LEARNER'],
            imageTemplate: { color: '#123456', symbol: 'SHIELD' },
          },
        },
        { token: facilitator.token },
      );
      const imageUrl = created.body.data.createBadge.data.imageUrl;

      const owner = await fetchPath(server, imageUrl, { token: facilitator.token });
      const outsiderResponse = await fetchPath(server, imageUrl, { token: outsider.token });
      const signedOut = await fetchPath(server, imageUrl);

      expect(owner.status).toBe(200);
      expect(owner.headers.get('cache-control')).toBe('private, no-cache');
      expect(outsiderResponse.status).toBe(404);
      expect(signedOut.status).toBe(404);
    });

    test('setBadgeImage is for badge managers', async () => {
      const { result } = await createBadge(facilitator.token, {});
      const input = {
        badgeId: result.data.id,
        imageTemplate: { color: '#0b6e4f', symbol: 'GLOBE' },
      };
      const setImage = `mutation($input: SetBadgeImageInput!) { setBadgeImage(input: $input) {
        __typename ... on Error { message }
        ... on MutationSetBadgeImageSuccess { data { imageTemplate { color symbol } } } } }`;

      const asMember = await server.graphql(setImage, { input }, { token: member.token });
      const asOutsider = await server.graphql(
        setImage,
        { input: { ...input, badgeId: (await createPrivateBadgeId()) ?? input.badgeId } },
        { token: outsider.token },
      );
      const asManager = await server.graphql(setImage, { input }, { token: facilitator.token });
      const served = await (await fetchPath(server, result.data.imageUrl)).text();

      expect(asMember.body.data.setBadgeImage.__typename).toBe('ForbiddenError');
      expect(asOutsider.body.data.setBadgeImage.__typename).toBe('NotFoundError');
      expect(asManager.body.data.setBadgeImage.data.imageTemplate).toEqual({
        color: '#0b6e4f',
        symbol: 'GLOBE',
      });
      expect(served).toContain('fill="#0b6e4f"');
    });

    async function createPrivateBadgeId(): Promise<string | null> {
      const created = await server.graphql(
        `mutation($input: CreateBadgeInput!) { createBadge(input: $input) {
          ... on MutationCreateBadgeSuccess { data { id } } } }`,
        {
          input: {
            communityId: privateCommunity.id,
            name: `Hidden ${Math.random().toString(36).slice(2, 8)}`,
            description: 'Private.',
            criteria: 'Take part.',
            isteStandards: ['LEARNER'],
          },
        },
        { token: facilitator.token },
      );
      return created.body.data.createBadge.data?.id ?? null;
    }
  });

  describe('baked credentials', () => {
    async function awardWithImage(fields: Record<string, unknown>): Promise<string> {
      const { result } = await createBadge(facilitator.token, fields);
      const award = await mutate(
        server,
        'awardBadge',
        'AwardBadgeInput',
        { badgeId: result.data.id, recipientId: member.id },
        'id',
        facilitator.token,
      );
      return award.id;
    }

    async function verify(credentialJson: string): Promise<Json> {
      const response = await fetch(`${server.url}/credentials/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: credentialJson,
      });
      return response.json();
    }

    const bakedPath = (awardId: string, extension: string) =>
      `/credentials/awards/${encodeURIComponent(awardId)}.${extension}`;

    test('bakes a PNG image', async () => {
      const upload = await uploadOk(server, {
        bytes: makePng(32, 32),
        name: 'baked.png',
        purpose: 'BADGE_IMAGE',
        token: facilitator.token,
      });
      const awardId = await awardWithImage({ imageUploadId: upload.id });

      const png = await fetchPath(server, bakedPath(awardId, 'png'), { token: member.token });
      const bytes = new Uint8Array(await png.arrayBuffer());
      const credentialJson = extractBakedCredential(bytes) ?? '';
      const checked = await verify(credentialJson);
      const svg = await fetchPath(server, bakedPath(awardId, 'svg'), { token: member.token });
      const missing = await fetchPath(
        server,
        bakedPath(Buffer.from('BadgeAward:999999').toString('base64'), 'png'),
        { token: member.token },
      );

      expect(png.status).toBe(200);
      expect(png.headers.get('content-type')).toBe('image/png');
      expect(png.headers.get('x-content-type-options')).toBe('nosniff');
      expect(png.headers.get('content-disposition')).toMatch(/^attachment; /);
      expect(readPngSize(bytes)).toEqual({ width: 32, height: 32 });
      expect(JSON.parse(credentialJson).id).toContain(encodeURIComponent(awardId));
      expect(checked.verified).toBe(true);
      expect(svg.status).toBe(404);
      expect(missing.status).toBe(404);
    });

    test('bakes a template SVG image', async () => {
      const awardId = await awardWithImage({ imageTemplate: { color: '#6a0dad', symbol: 'ATOM' } });
      const row = await server.database.db
        .select({ id: badgeAwards.id })
        .from(badgeAwards)
        .where(eq(badgeAwards.id, rowIdOf(awardId)));

      const svg = await fetchPath(server, bakedPath(awardId, 'svg'), { token: member.token });
      const text = await svg.text();
      const credentialJson = extractBakedCredential(new TextEncoder().encode(text)) ?? '';
      const checked = await verify(credentialJson);
      const png = await fetchPath(server, bakedPath(awardId, 'png'), { token: member.token });

      expect(row).toHaveLength(1);
      expect(svg.status).toBe(200);
      expect(svg.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
      expect(svg.headers.get('content-security-policy')).toBe(CSP);
      expect(text).toContain('xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"');
      expect(text).toContain('fill="#6a0dad"');
      expect(checked.verified).toBe(true);
      expect(png.status).toBe(404);
    });

    test('bakes an uploaded SVG image', async () => {
      const upload = await uploadOk(server, {
        bytes: PLAIN_SVG,
        name: 'circle.svg',
        purpose: 'BADGE_IMAGE',
        token: facilitator.token,
      });
      const awardId = await awardWithImage({ imageUploadId: upload.id });

      const svg = await fetchPath(server, bakedPath(awardId, 'svg'), { token: member.token });
      const text = await svg.text();
      const checked = await verify(extractBakedCredential(new TextEncoder().encode(text)) ?? '');

      expect(svg.status).toBe(200);
      expect(text).toContain('<circle');
      expect(checked.verified).toBe(true);
    });

    test('adds the badge image to the achievement', async () => {
      const awardId = await awardWithImage({ imageTemplate: { color: '#6a0dad', symbol: 'BOOK' } });

      const exported = await fetchPath(server, bakedPath(awardId, 'json'), { token: member.token });
      const credential = await exported.json();
      const image = credential.credentialSubject.achievement.image;

      expect(image.type).toBe('Image');
      expect(image.id).toMatch(/^http:\/\/localhost:\d+\/badges\/[^/]+\/image$/);
    });
  });
});
