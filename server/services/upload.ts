import { createHash } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import { UPLOAD_PURPOSES, uploads } from '../../drizzle/tables/index.ts';
import { consumeRateLimit, type RateLimitRule } from '../auth/rate-limit.ts';
import { readPngSize } from '../credentials/baking.ts';
import { type DomainError, RateLimitedError, ValidationError } from '../errors.ts';
import { requireViewer, type ServiceContext } from './context.ts';
import { sanitizeSvg } from './svg-sanitizer.ts';

export type UploadPurpose = (typeof UPLOAD_PURPOSES)[number];
/** An upload's columns without its content. */
export type UploadRow = Omit<typeof uploads.$inferSelect, 'content'>;

/** A file from a multipart GraphQL request, as graphql-yoga passes it to a resolver. */
export interface UploadedFile {
  readonly name: string;
  /** The media type the client declared; informative only, since the content decides. */
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
}

const PNG: AcceptedType = { mime: 'image/png', label: 'a PNG image', extensions: ['png'] };
const SVG: AcceptedType = { mime: 'image/svg+xml', label: 'an SVG image', extensions: ['svg'] };
const JPEG: AcceptedType = {
  mime: 'image/jpeg',
  label: 'a JPEG image',
  extensions: ['jpg', 'jpeg'],
};
const WEBP: AcceptedType = { mime: 'image/webp', label: 'a WebP image', extensions: ['webp'] };
const PDF: AcceptedType = { mime: 'application/pdf', label: 'a PDF', extensions: ['pdf'] };
const TEXT: AcceptedType = {
  mime: 'text/plain',
  label: 'plain text',
  extensions: ['txt', 'text', 'md', 'csv'],
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
    typeNames: 'PDF, PNG, JPEG, WebP, plain text, DOCX, PPTX or XLSX',
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

/** Uploads one person may attempt in a day, counted whether or not the file is accepted. */
export const UPLOAD_RATE_LIMIT: RateLimitRule = { limit: 200, windowSeconds: 24 * 60 * 60 };

const KNOWN_TYPES = [PNG, SVG, JPEG, WEBP, PDF, TEXT, DOCX, PPTX, XLSX];

/** Maximum length of a stored file name, in characters, as the uploads table allows. */
const MAX_FILE_NAME_LENGTH = 255;

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) {
    return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  }
  return `${Math.ceil(bytes / 1024)} KB`;
}

/**
 * Cleans a client's file name: keeps the part after the last slash or backslash, removes control
 * characters and bidirectional overrides, and trims spaces and leading dots. Returns an empty
 * string when nothing is left.
 */
export function cleanFileName(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  return (
    base
      .normalize('NFC')
      // C0 and C1 controls, and the bidirectional embeddings, overrides and isolates.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to remove them.
      .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '')
      .trim()
      .replace(/^\.+/, '')
      .trim()
  );
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
 * Detects the content type from the bytes: magic numbers through file-type for binary formats,
 * then UTF-8 text, classified as SVG, other markup or plain text. Returns the accepted type, or a
 * label of what the content is when no accepted type matches.
 */
async function detectType(
  bytes: Uint8Array,
): Promise<{ type: AcceptedType; text: string | null } | { unsupported: string }> {
  const binary = await fileTypeFromBuffer(bytes);
  // file-type reports XML by its declaration, so SVG and other markup are classified below.
  if (binary && binary.ext !== 'xml') {
    const type = KNOWN_TYPES.find((known) => known.mime === binary.mime);
    return type ? { type, text: null } : { unsupported: `a ${binary.ext.toUpperCase()} file` };
  }
  const text = decodePlainText(bytes);
  if (text === null) {
    return { unsupported: 'of a type that is not recognized' };
  }
  const start = text.trimStart().slice(0, 1000).toLowerCase();
  if (/<svg[\s>/]/.test(start) && !/<html[\s>]/.test(start)) {
    return { type: SVG, text };
  }
  if (/^<(!doctype|html|\?xml|head|body|script|iframe|!--|[a-z][a-z0-9-]*[\s>/])/.test(start)) {
    return { unsupported: 'HTML or XML' };
  }
  return { type: TEXT, text };
}

function reject(ctx: ServiceContext, purpose: UploadPurpose, error: DomainError): never {
  ctx.log.info({ purpose, viewerId: ctx.viewer?.id, reason: error.message }, 'Upload rejected');
  throw error;
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
  if ('unsupported' in detected || !rule.types.some((type) => type === detected.type)) {
    const found = 'unsupported' in detected ? detected.unsupported : detected.type.label;
    throw ValidationError.of(
      'file',
      `its content is ${found}, but ${purpose === 'badge_image' ? 'a badge image' : 'evidence'} must be ${rule.typeNames}`,
    );
  }
  const { type } = detected;
  const declared = file.type.split(';')[0]?.trim().toLowerCase() ?? '';
  if (KNOWN_TYPES.some((known) => known.mime === declared) && declared !== type.mime) {
    throw ValidationError.of(
      'file',
      `it was sent as ${declared}, but its content is ${type.label} (${type.mime})`,
    );
  }
  const fileName = storedFileName(file.name, type);

  if (type === PNG && rule.maxPixels !== null) {
    const size = readPngSize(bytes);
    if (!size) {
      throw ValidationError.of('file', 'is not a valid PNG image: it is damaged or cut short');
    }
    if (size.width > rule.maxPixels || size.height > rule.maxPixels) {
      throw ValidationError.of(
        'file',
        `is ${size.width}x${size.height} pixels; a badge image may be at most ${rule.maxPixels}x${rule.maxPixels}`,
      );
    }
  }
  if (type === SVG) {
    const sanitized = await sanitizeSvg(detected.text ?? '');
    return { type, content: new TextEncoder().encode(sanitized), fileName };
  }
  return { type, content: bytes, fileName };
}

/**
 * Stores an upload owned by the viewer after checking it against its purpose. The content type is
 * decided from the bytes, never from the declared type or the name. Size, PNG dimensions of badge
 * images and the name's extension are checked too, and SVGs are stored sanitized. Throws
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
        `is ${formatBytes(file.size)}; ${purpose === 'badge_image' ? 'a badge image' : 'an evidence file'} may be at most ${rule.sizeText}`,
      );
    }
    await consumeRateLimit(ctx.db, `upload:user:${viewer.id}`, UPLOAD_RATE_LIMIT);

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
