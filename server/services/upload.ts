import { createHash } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import { UPLOAD_PURPOSES, uploads } from '../../drizzle/tables/index.ts';
import { consumeRateLimit, type RateLimitRule } from '../auth/rate-limit.ts';
import { type DomainError, describeWait, RateLimitedError, ValidationError } from '../errors.ts';
import { removeFormatCharacters } from '../validation.ts';
import { requireViewer, type ServiceContext } from './context.ts';
import { checkPngImageData, readPngStructure } from './png-structure.ts';
import { sanitizeSvg } from './svg-sanitizer.ts';

export type UploadPurpose = (typeof UPLOAD_PURPOSES)[number];
/** An upload's columns without its content. */
export type UploadRow = Omit<typeof uploads.$inferSelect, 'content'>;

/** A file from a multipart GraphQL request, as graphql-yoga passes it to a resolver. */
export interface UploadedFile {
  readonly name: string;
  /**
   * The media type the client declared. The content decides the type, and a declared type that
   * names another one is rejected. An empty one or application/octet-stream names no type.
   */
  readonly type: string;
  readonly size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** A content type the server accepts, with the file name extensions that go with it. */
interface AcceptedType {
  mime: string;
  /** Name for messages, such as "a PNG image". */
  label: string;
  /** Extensions without the dot; the first is added to a name that has none. */
  extensions: string[];
  /** Other media types that clients declare for this content, besides `mime`. */
  aliases?: string[];
}

const PNG: AcceptedType = {
  mime: 'image/png',
  label: 'a PNG image',
  extensions: ['png'],
  aliases: ['image/x-png'],
};
const SVG: AcceptedType = { mime: 'image/svg+xml', label: 'an SVG image', extensions: ['svg'] };
const JPEG: AcceptedType = {
  mime: 'image/jpeg',
  label: 'a JPEG image',
  extensions: ['jpg', 'jpeg'],
  aliases: ['image/jpg', 'image/pjpeg'],
};
const WEBP: AcceptedType = { mime: 'image/webp', label: 'a WebP image', extensions: ['webp'] };
const PDF: AcceptedType = {
  mime: 'application/pdf',
  label: 'a PDF',
  extensions: ['pdf'],
  aliases: ['application/x-pdf'],
};
const TEXT: AcceptedType = {
  mime: 'text/plain',
  label: 'plain text',
  extensions: ['txt', 'text', 'md', 'csv'],
  // Browsers on Windows with Excel installed declare CSV files as application/vnd.ms-excel.
  aliases: [
    'text/markdown',
    'text/x-markdown',
    'text/csv',
    'text/x-csv',
    'application/csv',
    'application/vnd.ms-excel',
  ],
};
const DOCX: AcceptedType = {
  mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  label: 'a Word document (DOCX)',
  extensions: ['docx'],
};
const PPTX: AcceptedType = {
  mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  label: 'a PowerPoint presentation (PPTX)',
  extensions: ['pptx'],
};
const XLSX: AcceptedType = {
  mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  label: 'an Excel workbook (XLSX)',
  extensions: ['xlsx'],
};

/** Rules of each purpose: accepted content types, maximum size and, for badge images, pixels. */
export const UPLOAD_RULES = {
  badge_image: {
    types: [PNG, SVG],
    typeNames: 'PNG or SVG',
    maxBytes: 512 * 1024,
    sizeText: '512 KB',
    maxPixels: 2048,
  },
  evidence: {
    types: [PDF, PNG, JPEG, WEBP, TEXT, DOCX, PPTX, XLSX],
    typeNames: 'PDF, PNG, JPEG, WebP, plain text in UTF-8, DOCX, PPTX or XLSX',
    maxBytes: 10 * 1024 * 1024,
    sizeText: '10 MB',
    maxPixels: null,
  },
} as const satisfies Record<
  UploadPurpose,
  {
    types: AcceptedType[];
    typeNames: string;
    maxBytes: number;
    sizeText: string;
    maxPixels: number | null;
  }
>;

/** Declared media types that name no particular type, so any content may follow them. */
const UNINFORMATIVE_TYPES = new Set(['', 'application/octet-stream']);

/** Uploads one person may attempt in a day, counted whether or not the file is accepted. */
export const UPLOAD_RATE_LIMIT: RateLimitRule = { limit: 200, windowSeconds: 24 * 60 * 60 };

const KNOWN_TYPES = [PNG, SVG, JPEG, WEBP, PDF, TEXT, DOCX, PPTX, XLSX];

/** Maximum length of a stored file name, in characters, as the uploads table allows. */
const MAX_FILE_NAME_LENGTH = 255;

/**
 * Formats a size in KB or MB with the exact byte count, such as "10.0 MB (10,485,761 bytes)", so
 * that a size just over a limit never reads the same as the limit.
 */
function formatBytes(bytes: number): string {
  const exact = `${bytes.toLocaleString('en-US')} bytes`;
  if (bytes >= 1024 * 1024) {
    return `${(bytes / (1024 * 1024)).toFixed(1)} MB (${exact})`;
  }
  return `${(bytes / 1024).toFixed(1)} KB (${exact})`;
}

/**
 * Cleans a client's file name: keeps the part after the last slash or backslash, removes control
 * characters, every bidirectional formatting character and invisible characters (as text fields
 * reject them), and trims spaces and leading dots. Returns an empty string when nothing is left.
 */
export function cleanFileName(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to remove them.
  const withoutControls = base.normalize('NFC').replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
  return removeFormatCharacters(withoutControls).trim().replace(/^\.+/, '').trim();
}

/**
 * Undoes the escaping that browsers and fetch apply to a file name in a multipart/form-data part
 * header, as the HTML Standard specifies since whatwg/html#6282. A `"` is sent as %22, and line
 * feeds and carriage returns as %0A and %0D, which are dropped here. `%` itself is not escaped,
 * so a name that really contains "%22" reads back with a quote.
 */
function decodeMultipartFileName(name: string): string {
  return name.replace(/%22/g, '"').replace(/%0[ad]/gi, '');
}

/** Splits `name` into its stem and lower-case extension, when it has a short one. */
function splitExtension(name: string): { stem: string; extension: string | null } {
  const match = /^(.*[^.])\.([A-Za-z0-9]{1,10})$/.exec(name);
  if (!match) {
    return { stem: name, extension: null };
  }
  return { stem: match[1] ?? '', extension: (match[2] ?? '').toLowerCase() };
}

/** Cuts a stem so that the name with its extension has at most 255 characters. */
function fitName(stem: string, extension: string): string {
  const suffix = `.${extension}`;
  const characters = [...stem];
  const room = MAX_FILE_NAME_LENGTH - suffix.length;
  const cut = characters.length > room ? characters.slice(0, room).join('').trimEnd() : stem;
  return `${cut || 'file'}${suffix}`;
}

/**
 * Decides the name an upload is stored under. A name whose extension belongs to another type
 * than the content is rejected, because it would open in the wrong program. A name without an
 * extension gets the content's.
 */
function storedFileName(rawName: string, detected: AcceptedType): string {
  const { stem, extension } = splitExtension(cleanFileName(decodeMultipartFileName(rawName)));
  if (extension === null) {
    return fitName(stem, detected.extensions[0] as string);
  }
  if (!detected.extensions.includes(extension)) {
    throw ValidationError.of(
      'file',
      `its name ends in .${extension}, but its content is ${detected.label}; rename it to .${detected.extensions[0]}`,
    );
  }
  return fitName(stem, extension);
}

/** Decodes text that is valid UTF-8 without NUL or control characters other than white space. */
function decodePlainText(bytes: Uint8Array): string | null {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: binary files contain these.
  return /[\u0000-\u0008\u000e-\u001f\u007f]/.test(text) ? null : text;
}

/**
 * Reports whether the bytes look like UTF-16 text: a byte order mark, or zero bytes in nearly
 * every other position, as ASCII text in UTF-16 has.
 */
function isUtf16Text(bytes: Uint8Array): boolean {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return true;
  }
  const sample = bytes.subarray(0, 1024);
  if (sample.length < 4 || sample.length % 2 !== 0) {
    return false;
  }
  const zeros = [0, 0];
  sample.forEach((byte, index) => {
    if (byte === 0) {
      zeros[index % 2] = (zeros[index % 2] ?? 0) + 1;
    }
  });
  const pairs = sample.length / 2;
  const [even = 0, odd = 0] = zeros;
  return (even >= pairs * 0.9 && odd === 0) || (odd >= pairs * 0.9 && even === 0);
}

/**
 * Detects the content type from the bytes: magic numbers through file-type for binary formats,
 * then UTF-8 text, classified as SVG, other markup or plain text. Returns the accepted type, or a
 * phrase saying what the content is when no accepted type matches.
 */
async function detectType(
  bytes: Uint8Array,
): Promise<{ type: AcceptedType; text: string | null } | { unsupported: string }> {
  // Checked first, because file-type reads the byte order mark FF FE as an MPEG audio frame.
  if (isUtf16Text(bytes)) {
    return { unsupported: 'UTF-16 text, which is not a supported type (save it as UTF-8)' };
  }
  const binary = await fileTypeFromBuffer(bytes);
  // file-type reports XML by its declaration, so SVG and other markup are classified below.
  if (binary && binary.ext !== 'xml') {
    const type = KNOWN_TYPES.find((known) => known.mime === binary.mime);
    return type
      ? { type, text: null }
      : { unsupported: `not a supported type (it was detected as ${binary.ext.toUpperCase()})` };
  }
  const text = decodePlainText(bytes);
  if (text === null) {
    return { unsupported: 'not a supported type (its type was not recognized)' };
  }
  const start = text.trimStart().slice(0, 1000).toLowerCase();
  if (/<svg[\s>/]/.test(start) && !/<html[\s>]/.test(start)) {
    return { type: SVG, text };
  }
  if (/^<(!doctype|html|\?xml|head|body|script|iframe|!--|[a-z][a-z0-9-]*[\s>/])/.test(start)) {
    return { unsupported: 'HTML or XML, which is not a supported type' };
  }
  return { type: TEXT, text };
}

function reject(ctx: ServiceContext, purpose: UploadPurpose, error: DomainError): never {
  ctx.log.info({ purpose, viewerId: ctx.viewer?.id, reason: error.message }, 'Upload rejected');
  throw error;
}

/**
 * Throws a ValidationError when the declared media type names another type than the content's,
 * such as a PNG sent as text/html, since a client or proxy trusting that type would misread the
 * file. An empty declared type, application/octet-stream and known aliases pass.
 */
function requireMatchingDeclaredType(declaredType: string, type: AcceptedType): void {
  const declared = declaredType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (
    UNINFORMATIVE_TYPES.has(declared) ||
    declared === type.mime ||
    type.aliases?.includes(declared)
  ) {
    return;
  }
  throw ValidationError.of(
    'file',
    `it was sent as ${declared.slice(0, 100)}, but its content is ${type.label} (${type.mime}); send it as ${type.mime} or application/octet-stream`,
  );
}

/**
 * Throws a ValidationError unless a PNG is well-formed (see readPngStructure). With `maxPixels`,
 * as for badge images, it must also fit that size and its image data must decompress to exactly
 * the rows its size needs.
 */
function checkPng(bytes: Uint8Array, maxPixels: number | null): void {
  const structure = readPngStructure(bytes);
  if (typeof structure === 'string') {
    throw ValidationError.of('file', `is not a valid PNG image: ${structure}`);
  }
  if (maxPixels === null) {
    return;
  }
  const { width, height } = structure.header;
  if (width > maxPixels || height > maxPixels) {
    throw ValidationError.of(
      'file',
      `is ${width}x${height} pixels; a badge image may be at most ${maxPixels}x${maxPixels}`,
    );
  }
  const problem = checkPngImageData(structure);
  if (problem !== null) {
    throw ValidationError.of('file', `is not a valid PNG image: ${problem}`);
  }
}

/**
 * Checks the file's content against what the purpose accepts and returns the bytes to store:
 * an SVG comes back sanitized. Throws a ValidationError on `file`.
 */
async function checkContent(
  file: UploadedFile,
  bytes: Uint8Array,
  purpose: UploadPurpose,
): Promise<{ type: AcceptedType; content: Uint8Array; fileName: string }> {
  const rule = UPLOAD_RULES[purpose];
  const detected = await detectType(bytes);
  const accepted = `${purpose === 'badge_image' ? 'a badge image' : 'evidence'} must be ${rule.typeNames}`;
  if ('unsupported' in detected) {
    throw ValidationError.of('file', `its content is ${detected.unsupported}; ${accepted}`);
  }
  if (!rule.types.some((type) => type === detected.type)) {
    throw ValidationError.of('file', `its content is ${detected.type.label}, but ${accepted}`);
  }
  const { type } = detected;
  requireMatchingDeclaredType(file.type, type);
  const fileName = storedFileName(file.name, type);

  if (type === PNG) {
    checkPng(bytes, rule.maxPixels);
  }
  if (type === SVG) {
    const sanitized = await sanitizeSvg(detected.text ?? '');
    return { type, content: new TextEncoder().encode(sanitized), fileName };
  }
  return { type, content: bytes, fileName };
}

/** Counts one upload attempt of the person, or throws RateLimitedError saying how long to wait. */
async function consumeUploadAttempt(ctx: ServiceContext, userId: number): Promise<void> {
  try {
    await consumeRateLimit(ctx.db, `upload:user:${userId}`, UPLOAD_RATE_LIMIT);
  } catch (error) {
    if (!(error instanceof RateLimitedError)) {
      throw error;
    }
    throw new RateLimitedError(
      error.retryAfterSeconds,
      `Each person may make ${UPLOAD_RATE_LIMIT.limit} upload attempts a day, and you have made them all; try again in ${describeWait(error.retryAfterSeconds)}.`,
    );
  }
}

/**
 * Stores an upload owned by the viewer after checking it against its purpose. The content type is
 * decided from the bytes, never from the declared type or the name, and a declared type or name
 * extension of another type is rejected. Size, PNG structure, PNG dimensions of badge images are
 * checked too, and SVGs are stored sanitized. Throws
 * ValidationError on `file` or `purpose`, RateLimitedError past 200 attempts a day, and
 * UnauthenticatedError when signed out. Logs each stored upload at debug and each rejection at
 * info.
 */
export async function storeUpload(
  ctx: ServiceContext,
  input: { file: UploadedFile; purpose: UploadPurpose },
): Promise<UploadRow> {
  const viewer = requireViewer(ctx);
  const { file, purpose } = input;
  const rule = UPLOAD_RULES[purpose];
  try {
    if (!rule) {
      throw ValidationError.of('purpose', `must be one of ${UPLOAD_PURPOSES.join(', ')}`);
    }
    if (file.size === 0) {
      throw ValidationError.of('file', 'is empty');
    }
    if (file.size > rule.maxBytes) {
      throw ValidationError.of(
        'file',
        `is ${formatBytes(file.size)}; ${purpose === 'badge_image' ? 'a badge image' : 'an evidence file'} may be at most ${rule.sizeText} (${rule.maxBytes.toLocaleString('en-US')} bytes)`,
      );
    }
    await consumeUploadAttempt(ctx, viewer.id);

    const bytes = new Uint8Array(await file.arrayBuffer());
    const { type, content, fileName } = await checkContent(file, bytes, purpose);
    const sha256 = createHash('sha256').update(content).digest('hex');
    const [stored] = await ctx.db
      .insert(uploads)
      .values({
        ownerId: viewer.id,
        purpose,
        fileName,
        contentType: type.mime,
        byteSize: content.length,
        sha256,
        content: Buffer.from(content.buffer, content.byteOffset, content.byteLength),
      })
      .returning({
        id: uploads.id,
        ownerId: uploads.ownerId,
        purpose: uploads.purpose,
        fileName: uploads.fileName,
        contentType: uploads.contentType,
        byteSize: uploads.byteSize,
        sha256: uploads.sha256,
        createdAt: uploads.createdAt,
      });
    if (!stored) {
      throw new Error('Storing an upload returned no row');
    }
    ctx.log.debug(
      { uploadId: stored.id, purpose, contentType: type.mime, byteSize: content.length, sha256 },
      'Upload stored',
    );
    return stored;
  } catch (error) {
    if (error instanceof ValidationError || error instanceof RateLimitedError) {
      reject(ctx, purpose, error);
    }
    throw error;
  }
}
