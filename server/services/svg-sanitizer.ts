/**
 * SVG sanitizing for uploaded badge images, with DOMPurify on a jsdom window. The file is parsed
 * as XML, so a file that is not well-formed SVG is rejected rather than repaired.
 */
import type { DOMPurify as Purifier, UponSanitizeAttributeHookEvent } from 'dompurify';
import type { JSDOM } from 'jsdom';
import { ValidationError } from '../errors.ts';

const SVG_NAMESPACE = 'http://www.w3.org/2000/svg';

// Elements removed besides those DOMPurify's SVG profile already drops (script, foreignObject and
// others): style sheets can load external resources through @import and url(), and animation
// elements can rewrite other attributes, such as an href, after the file is sanitized.
const FORBIDDEN_TAGS = [
  'style',
  'foreignObject',
  'script',
  'iframe',
  'embed',
  'animate',
  'animateColor',
  'animateMotion',
  'animateTransform',
  'set',
  'discard',
  'mpath',
];

// A style attribute is CSS with escapes, comments and many functions that fetch (url(),
// image-set(), cross-fade() and others), so it is removed whole rather than parsed.
const FORBIDDEN_ATTRIBUTES = ['style'];

// A reference that stays inside the file: a fragment such as #gradient, or an embedded raster
// image. Everything else (http:, javascript:, another file) is removed.
const LOCAL_REFERENCE = /^\s*(#[^\s]*|data:image\/(png|jpeg|gif|webp);base64,[a-z0-9+/=\s]*)\s*$/i;
const CSS_URL_START = /url\s*\(/gi;
// The argument of a same-document url(), such as url(#gradient) or url('#gradient').
const SAME_DOCUMENT_URL_ARGUMENT = /^\s*(['"]?)#[\w.:-]*\1\s*\)/;
// CSS image functions that fetch their arguments, also under vendor prefixes such as
// -webkit-image-set(). src() is the CSS Values 4 form of url() with a string argument.
const CSS_FETCHING_FUNCTION = /(image-set|image|cross-fade|element|src)\s*\(/i;
const SCRIPT_LIKE = /javascript:|vbscript:|@import|expression\s*\(/i;

interface SvgTools {
  window: JSDOM['window'];
  purify: Purifier;
}

let tools: Promise<SvgTools> | null = null;

/** Loads jsdom and DOMPurify on first use, so that servers that never see an SVG skip the cost. */
function loadTools(): Promise<SvgTools> {
  tools ??= (async () => {
    const [{ JSDOM }, { default: createDOMPurify }] = await Promise.all([
      import('jsdom'),
      import('dompurify'),
    ]);
    const { window } = new JSDOM('');
    const purify = createDOMPurify(window as unknown as Parameters<typeof createDOMPurify>[0]);
    purify.addHook('uponSanitizeAttribute', (_node, data: UponSanitizeAttributeHookEvent) => {
      if (!isSafeAttribute(data.attrName, data.attrValue)) {
        data.keepAttr = false;
      }
    });
    return { window, purify };
  })();
  return tools;
}

/**
 * Drops CSS comments and then decodes CSS escapes, as a browser reads a presentation attribute
 * such as fill or mask, so that "u\72l(" is checked as "url(". A backslash followed by one to six
 * hex digits (and one optional white space) is that code point, a backslash before a line break is
 * removed, and a backslash before any other character is that character. Comments go first
 * because an escaped "/" or "*" does not start a comment.
 */
function unescapeCss(value: string): string {
  return value
    .replace(/\/\*[\s\S]*?(\*\/|$)/g, '')
    .replace(
      /\\([0-9a-f]{1,6})[ \t\n\r\f]?|\\(\r\n|[\n\r\f])|\\([\s\S])/gi,
      (_match, hex: string | undefined, _lineBreak, other: string | undefined) => {
        if (hex === undefined) {
          return other ?? '';
        }
        const codePoint = Number.parseInt(hex, 16);
        const isScalarValue =
          codePoint > 0 && codePoint <= 0x10ffff && !(codePoint >= 0xd800 && codePoint <= 0xdfff);
        return isScalarValue ? String.fromCodePoint(codePoint) : '\ufffd';
      },
    );
}

/** Reports whether every url() in a CSS value is a same-document reference such as url(#g). */
function hasOnlySameDocumentUrls(css: string): boolean {
  for (const match of css.matchAll(CSS_URL_START)) {
    const argument = css.slice((match.index ?? 0) + match[0].length);
    if (!SAME_DOCUMENT_URL_ARGUMENT.test(argument)) {
      return false;
    }
  }
  return true;
}

/** Checks an attribute for references that would leave the file or run code. */
function isSafeAttribute(name: string, value: string): boolean {
  const lowerName = name.toLowerCase();
  if (lowerName.startsWith('on')) {
    return false;
  }
  if (lowerName === 'href' || lowerName.endsWith(':href') || lowerName === 'src') {
    return LOCAL_REFERENCE.test(value);
  }
  // Presentation attributes (fill, mask, cursor, clip-path, filter, marker-*) are parsed as CSS.
  const css = unescapeCss(value);
  if (SCRIPT_LIKE.test(value) || SCRIPT_LIKE.test(css) || CSS_FETCHING_FUNCTION.test(css)) {
    return false;
  }
  return hasOnlySameDocumentUrls(css);
}

/**
 * Parses an SVG document and returns it with every script, event handler, foreignObject, style
 * sheet, style attribute, animation element and external reference removed, serialized as XML without its prolog. Throws a
 * ValidationError on `field` when the text is not well-formed XML with an `<svg>` root element in
 * the SVG namespace, or when it declares entities.
 */
export async function sanitizeSvg(text: string, field = 'file'): Promise<string> {
  // Entity declarations can expand a small file into gigabytes while it is parsed.
  if (/<!ENTITY/i.test(text)) {
    throw ValidationError.of(field, 'is an SVG that declares XML entities, which is not accepted');
  }
  const { window, purify } = await loadTools();
  const document = new window.DOMParser().parseFromString(text, 'image/svg+xml');
  const root = document.documentElement;
  if (
    document.getElementsByTagName('parsererror').length > 0 ||
    root.localName !== 'svg' ||
    root.namespaceURI !== SVG_NAMESPACE
  ) {
    throw ValidationError.of(
      field,
      `is not an SVG image: it must be well-formed XML whose root element is <svg xmlns="${SVG_NAMESPACE}">`,
    );
  }

  purify.sanitize(root, {
    IN_PLACE: true,
    USE_PROFILES: { svg: true, svgFilters: true },
    FORBID_TAGS: FORBIDDEN_TAGS,
    FORBID_ATTR: FORBIDDEN_ATTRIBUTES,
  });
  return new window.XMLSerializer().serializeToString(root);
}
