/**
 * A forward scanner over the XML of an SVG document, enough to find its root start tag and its
 * `<openbadges:credential>` elements. Every step searches forward with indexOf or one pass over
 * a tag and never moves back, so the work grows linearly with the size of the document whatever
 * its content. Comments, CDATA sections and processing instructions are skipped as units, so an
 * element written inside one of them is not an element.
 *
 * It checks only what it needs: the prolog, that the root element is svg, that tags and their
 * quoted attribute values end, and that end tags match their start tags. It does not check
 * namespace bindings or attribute syntax, and it does not expand entities declared in a DOCTYPE.
 */

/** Name of the element that carries a baked Open Badges 3.0 credential in an SVG. */
export const CREDENTIAL_ELEMENT = 'openbadges:credential';

/** Offsets of one element in the text: its start tag, content and end tag. */
export interface ElementRange {
  /** Offset of the `<` of its start tag. */
  start: number;
  /** Offset just past its start tag. */
  contentStart: number;
  /** Offset of the `<` of its end tag, or contentStart for an empty-element tag. */
  contentEnd: number;
  /** Offset just past its end tag. */
  end: number;
}

/** Result of scanSvg on a well-formed document. */
export interface SvgScan {
  /** Offset and text of the root svg element's start tag. */
  root: { index: number; tag: string };
  /** Every `<openbadges:credential>` element, in document order, outermost ones only. */
  credentials: ElementRange[];
}

/** Error for a document that ends inside a construct, or whose root element is not svg. */
export class SvgScanError extends Error {
  override name = 'SvgScanError';
}

const COMMENT_START = '<!--';
const CDATA_START = '<![CDATA[';

function isNameEnd(code: number | undefined): boolean {
  // White space, '/', '>' or the end of the text ends an XML name in a tag.
  return (
    code === undefined ||
    code === 0x20 ||
    code === 0x09 ||
    code === 0x0a ||
    code === 0x0d ||
    code === 0x2f ||
    code === 0x3e
  );
}

/** Reads the XML name that starts at `offset`, such as the name after a tag's `<` or `</`. */
function readName(text: string, offset: number): string {
  let end = offset;
  while (end < text.length && !isNameEnd(text.charCodeAt(end))) {
    end += 1;
  }
  return text.slice(offset, end);
}

/**
 * Returns the offset just past the `>` that ends the tag starting at `start`, skipping quoted
 * attribute values, which may contain '>'.
 */
function endOfTag(text: string, start: number): number {
  let offset = start + 1;
  while (offset < text.length) {
    const char = text[offset];
    if (char === '>') {
      return offset + 1;
    }
    if (char === '"' || char === "'") {
      const close = text.indexOf(char, offset + 1);
      if (close < 0) {
        break;
      }
      offset = close + 1;
    } else {
      offset += 1;
    }
  }
  throw new SvgScanError('A tag does not end.');
}

/** Returns the offset just past `terminator`, searched from `from`. */
function skipPast(text: string, from: number, terminator: string, construct: string): number {
  const index = text.indexOf(terminator, from);
  if (index < 0) {
    throw new SvgScanError(`${construct} does not end.`);
  }
  return index + terminator.length;
}

/**
 * Returns the offset just past a DOCTYPE declaration, whose internal subset in brackets may contain
 * quoted strings and comments that contain '>' or ']'.
 */
function endOfDoctype(text: string, start: number): number {
  let offset = start + 2;
  let inSubset = false;
  while (offset < text.length) {
    const char = text[offset];
    if (char === '"' || char === "'") {
      offset = skipPast(text, offset + 1, char, 'A quoted string in the DOCTYPE');
    } else if (inSubset && text.startsWith(COMMENT_START, offset)) {
      offset = skipPast(text, offset + COMMENT_START.length, '-->', 'A comment in the DOCTYPE');
    } else if (char === '[' && !inSubset) {
      inSubset = true;
      offset += 1;
    } else if (char === ']' && inSubset) {
      inSubset = false;
      offset += 1;
    } else if (char === '>' && !inSubset) {
      return offset + 1;
    } else {
      offset += 1;
    }
  }
  throw new SvgScanError('The DOCTYPE does not end.');
}

/**
 * Skips a comment, CDATA section or processing instruction at `offset` and returns the offset past
 * it, or returns -1 when none starts there.
 */
function skipMarkup(text: string, offset: number): number {
  if (text.startsWith(COMMENT_START, offset)) {
    return skipPast(text, offset + COMMENT_START.length, '-->', 'A comment');
  }
  if (text.startsWith(CDATA_START, offset)) {
    return skipPast(text, offset + CDATA_START.length, ']]>', 'A CDATA section');
  }
  if (text.startsWith('<?', offset)) {
    return skipPast(text, offset + 2, '?>', 'A processing instruction');
  }
  return -1;
}

/** Returns the offset of the root element's `<`, past the XML declaration, comments and DOCTYPE. */
function skipProlog(text: string): number {
  let offset = 0;
  for (;;) {
    const next = text.indexOf('<', offset);
    if (next < 0 || text.slice(offset, next).trim() !== '') {
      throw new SvgScanError('The document has no root element.');
    }
    const skipped = skipMarkup(text, next);
    if (skipped >= 0 && !text.startsWith(CDATA_START, next)) {
      offset = skipped;
    } else if (text.startsWith('<!DOCTYPE', next)) {
      offset = endOfDoctype(text, next);
    } else {
      return next;
    }
  }
}

/**
 * Scans an SVG document from start to end once. Throws SvgScanError when the root element is not
 * svg, when a comment, CDATA section, processing instruction or tag does not end, or when an end
 * tag does not match the element it closes. Text after the root element is not read.
 */
export function scanSvg(text: string): SvgScan {
  const rootStart = skipProlog(text);
  if (readName(text, rootStart + 1) !== 'svg') {
    throw new SvgScanError('The root element is not svg.');
  }
  const rootEnd = endOfTag(text, rootStart);
  const root = { index: rootStart, tag: text.slice(rootStart, rootEnd) };
  const credentials: ElementRange[] = [];
  if (text[rootEnd - 2] === '/') {
    return { root, credentials };
  }

  // Names of the open elements, innermost last, and the credential element being read, if any.
  const open = ['svg'];
  let credential: { start: number; contentStart: number; depth: number } | null = null;
  let offset = rootEnd;
  while (open.length > 0) {
    const next = text.indexOf('<', offset);
    if (next < 0) {
      throw new SvgScanError(`The element ${open.at(-1)} does not end.`);
    }
    const skipped = skipMarkup(text, next);
    if (skipped >= 0) {
      offset = skipped;
      continue;
    }
    if (text[next + 1] === '!') {
      throw new SvgScanError('A DOCTYPE or other declaration appears inside the root element.');
    }
    const tagEnd = endOfTag(text, next);
    if (text[next + 1] === '/') {
      const name = readName(text, next + 2);
      if (name !== open.pop() || text.slice(next + 2 + name.length, tagEnd - 1).trim() !== '') {
        throw new SvgScanError(`The end tag </${name}> does not match its start tag.`);
      }
      if (credential && open.length === credential.depth) {
        credentials.push({ ...credential, contentEnd: next, end: tagEnd });
        credential = null;
      }
    } else {
      const name = readName(text, next + 1);
      const empty = text[tagEnd - 2] === '/';
      if (credential === null && name === CREDENTIAL_ELEMENT) {
        if (empty) {
          credentials.push({ start: next, contentStart: tagEnd, contentEnd: tagEnd, end: tagEnd });
        } else {
          credential = { start: next, contentStart: tagEnd, depth: open.length };
        }
      }
      if (!empty) {
        open.push(name);
      }
    }
    offset = tagEnd;
  }
  return { root, credentials };
}

/**
 * Splits the content of an element into its character data: text runs (still entity-encoded)
 * and CDATA sections (raw), skipping comments and processing instructions. Returns null when the
 * content contains a child element.
 */
export function contentParts(
  text: string,
  range: ElementRange,
): { kind: 'text' | 'cdata'; value: string }[] | null {
  const parts: { kind: 'text' | 'cdata'; value: string }[] = [];
  let offset = range.contentStart;
  while (offset < range.contentEnd) {
    const next = text.indexOf('<', offset);
    const textEnd = next < 0 || next > range.contentEnd ? range.contentEnd : next;
    if (textEnd > offset) {
      parts.push({ kind: 'text', value: text.slice(offset, textEnd) });
    }
    if (textEnd === range.contentEnd) {
      break;
    }
    if (text.startsWith(CDATA_START, next)) {
      const end = text.indexOf(']]>', next + CDATA_START.length);
      parts.push({ kind: 'cdata', value: text.slice(next + CDATA_START.length, end) });
      offset = end + 3;
    } else if (text.startsWith(COMMENT_START, next) || text.startsWith('<?', next)) {
      offset = skipMarkup(text, next);
    } else {
      return null;
    }
  }
  return parts;
}
