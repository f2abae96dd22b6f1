/**
 * Open Badges 3.0 baking: a signed credential carried inside the badge image itself. A PNG
 * carries it in an uncompressed iTXt chunk with the keyword `openbadgecredential`. An SVG carries
 * it in an `<openbadges:credential>` element, the JSON inside CDATA.
 */
import { inflateSync } from 'node:zlib';
import { contentParts, type SvgScan, SvgScanError, scanSvg } from './svg-scan.ts';

/** Keyword of the PNG iTXt chunk that carries an Open Badges 3.0 credential. */
export const PNG_CREDENTIAL_KEYWORD = 'openbadgecredential';

/** XML namespace of the `openbadges` prefix in a baked SVG. */
export const OPEN_BADGES_SVG_NAMESPACE = 'https://purl.imsglobal.org/ob/v3p0';

// Bound on the inflated size of a compressed credential chunk, so that a small damaged or hostile
// image cannot expand into gigabytes while it is read.
const MAX_INFLATED_CREDENTIAL_BYTES = 16 * 1024 * 1024;

const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

// CRC-32 as PNG defines it (ISO 3309, polynomial 0xedb88320), over the chunk type and data.
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    table[n] = c >>> 0;
  }
  return table;
})();

/** Computes the CRC-32 of `bytes` as the PNG specification defines it. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** One chunk of a PNG file, with its offsets in the file. */
interface PngChunk {
  type: string;
  /** Offset of the chunk's length field. */
  start: number;
  /** Offset just past the chunk's CRC. */
  end: number;
  data: Uint8Array;
  crcValid: boolean;
}

/** Tells whether `bytes` starts with the eight-byte PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  if (bytes.length < PNG_SIGNATURE.length) {
    return false;
  }
  return PNG_SIGNATURE.every((byte, index) => bytes[index] === byte);
}

/**
 * Splits a PNG into its chunks, up to and including IEND. Returns null when the signature is
 * missing, a chunk runs past the end of the file, or IEND never comes.
 */
function readPngChunks(png: Uint8Array): PngChunk[] | null {
  if (!isPng(png)) {
    return null;
  }
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: PngChunk[] = [];
  let offset = PNG_SIGNATURE.length;
  while (offset + 12 <= png.length) {
    const length = view.getUint32(offset);
    const end = offset + 12 + length;
    if (end > png.length) {
      return null;
    }
    const typeAndData = png.subarray(offset + 4, offset + 8 + length);
    const type = String.fromCharCode(...typeAndData.subarray(0, 4));
    const crcValid = crc32(typeAndData) === view.getUint32(offset + 8 + length);
    chunks.push({ type, start: offset, end, data: typeAndData.subarray(4), crcValid });
    offset = end;
    if (type === 'IEND') {
      return chunks;
    }
  }
  return null;
}

/**
 * Reads the width and height of a PNG from its IHDR chunk, in pixels. Returns null unless the
 * file is a well-formed PNG: the signature, IHDR first with a valid CRC, every chunk inside the
 * file, and an IEND.
 */
export function readPngSize(png: Uint8Array): { width: number; height: number } | null {
  const chunks = readPngChunks(png);
  const header = chunks?.[0];
  if (header?.type !== 'IHDR' || header.data.length !== 13 || !header.crcValid) {
    return null;
  }
  const view = new DataView(header.data.buffer, header.data.byteOffset, header.data.byteLength);
  return { width: view.getUint32(0), height: view.getUint32(4) };
}

function encodeChunk(type: string, data: Uint8Array): Uint8Array {
  const chunk = new Uint8Array(12 + data.length);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) {
    chunk[4 + i] = type.charCodeAt(i);
  }
  chunk.set(data, 8);
  view.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
  return chunk;
}

/** Fields of a parsed iTXt chunk. */
interface InternationalText {
  keyword: string;
  text: string;
}

/**
 * Parses iTXt data: keyword, NUL, compression flag, compression method, language tag, NUL,
 * translated keyword, NUL, then the UTF-8 text (zlib-compressed when the flag is 1).
 */
function parseInternationalText(data: Uint8Array): InternationalText | null {
  const keywordEnd = data.indexOf(0);
  // PNG limits keywords to 1 to 79 Latin-1 characters.
  if (keywordEnd < 1 || keywordEnd > 79 || keywordEnd + 3 > data.length) {
    return null;
  }
  const keyword = String.fromCharCode(...data.subarray(0, keywordEnd));
  const compressed = data[keywordEnd + 1] === 1;
  const languageEnd = data.indexOf(0, keywordEnd + 3);
  if (languageEnd < 0) {
    return null;
  }
  const translatedEnd = data.indexOf(0, languageEnd + 1);
  if (translatedEnd < 0) {
    return null;
  }
  let textBytes = data.subarray(translatedEnd + 1);
  if (compressed) {
    try {
      textBytes = inflateSync(textBytes, { maxOutputLength: MAX_INFLATED_CREDENTIAL_BYTES });
    } catch {
      return null;
    }
  }
  try {
    return { keyword, text: new TextDecoder('utf-8', { fatal: true }).decode(textBytes) };
  } catch {
    return null;
  }
}

function isCredentialChunk(chunk: PngChunk): boolean {
  if (chunk.type !== 'iTXt') {
    return false;
  }
  if (chunk.data[PNG_CREDENTIAL_KEYWORD.length] !== 0) {
    return false;
  }
  const keyword = String.fromCharCode(...chunk.data.subarray(0, PNG_CREDENTIAL_KEYWORD.length));
  return keyword === PNG_CREDENTIAL_KEYWORD;
}

/**
 * Bakes `credentialJson` into a PNG: removes any `openbadgecredential` iTXt chunk already there
 * and inserts a new, uncompressed one just before IEND. Throws a TypeError when `png` is not a
 * well-formed PNG (no signature, a truncated chunk or no IEND).
 */
export function bakePng(png: Uint8Array, credentialJson: string): Uint8Array {
  const chunks = readPngChunks(png);
  if (!chunks) {
    throw new TypeError('Cannot bake the credential: the image is not a well-formed PNG.');
  }
  const text = new TextEncoder().encode(credentialJson);
  const header = new TextEncoder().encode(PNG_CREDENTIAL_KEYWORD);
  // Keyword, NUL, compression flag 0, compression method 0, empty language tag and its NUL,
  // empty translated keyword and its NUL.
  const data = new Uint8Array(header.length + 5 + text.length);
  data.set(header, 0);
  data.set(text, header.length + 5);
  const credentialChunk = encodeChunk('iTXt', data);

  const parts: Uint8Array[] = [PNG_SIGNATURE];
  for (const chunk of chunks) {
    if (isCredentialChunk(chunk)) {
      continue;
    }
    if (chunk.type === 'IEND') {
      parts.push(credentialChunk);
    }
    parts.push(png.subarray(chunk.start, chunk.end));
  }
  const size = parts.reduce((total, part) => total + part.length, 0);
  const baked = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    baked.set(part, offset);
    offset += part.length;
  }
  return baked;
}

const NAMESPACE_DECLARATION = /\sxmlns:openbadges\s*=\s*("[^"]*"|'[^']*')/;

/** Wraps text in CDATA, splitting each `]]>` across two sections so it cannot end the first. */
function toCdata(text: string): string {
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/**
 * Bakes `credentialJson` into an SVG. Removes any `<openbadges:credential>` element already there
 * and inserts a new one, the JSON in CDATA, right after the svg start tag. Declares the
 * `openbadges` namespace on the root svg element when it is not declared yet. Throws a TypeError
 * when the root element is not svg or the document is not well-formed (see scanSvg).
 */
export function bakeSvg(svg: string, credentialJson: string): string {
  let scan: SvgScan;
  try {
    scan = scanSvg(svg);
  } catch (error) {
    if (error instanceof SvgScanError) {
      throw new TypeError(
        `Cannot bake the credential: the image is not a well-formed SVG document. ${error.message}`,
        { cause: error },
      );
    }
    throw error;
  }
  // The root start tag comes before every credential element, so removing them leaves it in place.
  let withoutOld = '';
  let copiedUpTo = 0;
  for (const element of scan.credentials) {
    withoutOld += svg.slice(copiedUpTo, element.start);
    copiedUpTo = element.end;
  }
  withoutOld += svg.slice(copiedUpTo);

  const match = scan.root;
  let startTag = match.tag;
  const declaration = NAMESPACE_DECLARATION.exec(startTag);
  if (!declaration) {
    const selfClosing = startTag.endsWith('/>');
    const insertAt = startTag.length - (selfClosing ? 2 : 1);
    startTag = `${startTag.slice(0, insertAt)} xmlns:openbadges="${OPEN_BADGES_SVG_NAMESPACE}"${startTag.slice(insertAt)}`;
  } else if (declaration[1]?.slice(1, -1) !== OPEN_BADGES_SVG_NAMESPACE) {
    throw new TypeError(
      'Cannot bake the credential: the svg element binds the openbadges prefix to another namespace.',
    );
  }

  const element = `<openbadges:credential>${toCdata(credentialJson)}</openbadges:credential>`;
  const before = withoutOld.slice(0, match.index);
  const after = withoutOld.slice(match.index + match.tag.length);
  if (startTag.endsWith('/>')) {
    // An empty <svg/> becomes an element with the credential as its only child.
    return `${before}${startTag.slice(0, -2)}>${element}</svg>${after}`;
  }
  return `${before}${startTag}${element}${after}`;
}

const XML_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

/** Decodes the five predefined XML entities and numeric character references. */
function decodeXmlText(text: string): string | null {
  let invalid = false;
  const decoded = text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, name: string) => {
    if (name.startsWith('#')) {
      const codePoint =
        name[1] === 'x' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      if (codePoint > 0x10ffff) {
        invalid = true;
        return whole;
      }
      return String.fromCodePoint(codePoint);
    }
    const value = XML_ENTITIES[name];
    if (value === undefined) {
      invalid = true;
      return whole;
    }
    return value;
  });
  return invalid ? null : decoded;
}

/**
 * Reads the content of the first `<openbadges:credential>` element of an SVG: its text, with
 * entities decoded, and its CDATA sections. Returns null when the document is not well-formed,
 * when it has no such element, or when the element is empty or contains a child element.
 */
function readSvgCredential(svg: string): string | null {
  let scan: SvgScan;
  try {
    scan = scanSvg(svg);
  } catch (error) {
    if (error instanceof SvgScanError) {
      return null;
    }
    throw error;
  }
  const element = scan.credentials[0];
  const parts = element ? contentParts(svg, element) : null;
  if (!parts) {
    return null;
  }
  let text = '';
  for (const part of parts) {
    const value = part.kind === 'cdata' ? part.value : decodeXmlText(part.value);
    if (value === null) {
      return null;
    }
    text += value;
  }
  const trimmed = text.trim();
  return trimmed === '' ? null : trimmed;
}

/**
 * Reads the credential baked into a PNG or an SVG image. Returns null, never throws, when the
 * bytes are neither format, when no credential is baked in, or when the PNG chunk that carries it
 * is damaged (bad structure or CRC). The returned text is not checked to be JSON or signed.
 */
export function extractBakedCredential(bytes: Uint8Array): string | null {
  if (isPng(bytes)) {
    const chunks = readPngChunks(bytes);
    const chunk = chunks?.find(isCredentialChunk);
    if (!chunk?.crcValid) {
      return null;
    }
    const parsed = parseInternationalText(chunk.data);
    return parsed && parsed.text !== '' ? parsed.text : null;
  }
  let svg: string;
  try {
    svg = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  return readSvgCredential(svg);
}
