/**
 * SVG sanitizing for uploaded badge images, with DOMPurify on a jsdom window. The file is parsed
 * as XML, so a file that is not well-formed SVG is rejected rather than repaired.
 */
import type { DOMPurify as Purifier, UponSanitizeAttributeHookEvent } from 'dompurify';
import type { JSDOM } from 'jsdom';
import { ValidationError } from '../errors.ts';

const SVG_NAMESPACE = 'http://www.w3.org/2000/svg';

// Elements removed besides those DOMPurify's SVG profile already drops (script, foreignObject and
// animation elements that can rewrite attributes): style sheets can load external resources
// through @import and url().
const FORBIDDEN_TAGS = ['style', 'foreignObject', 'script', 'animate', 'set', 'iframe', 'embed'];

// A reference that stays inside the file: a fragment such as #gradient, or an embedded raster
// image. Everything else (http:, javascript:, another file) is removed.
const LOCAL_REFERENCE = /^\s*(#[^\s]*|data:image\/(png|jpeg|gif|webp);base64,[a-z0-9+/=\s]*)\s*$/i;
const CSS_URL = /url\s*\(\s*(['"]?)([^'")]*)\1\s*\)/gi;

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

/** Checks an attribute for references that would leave the file or run code. */
function isSafeAttribute(name: string, value: string): boolean {
  const lowerName = name.toLowerCase();
  if (lowerName.startsWith('on')) {
    return false;
  }
  if (lowerName === 'href' || lowerName.endsWith(':href') || lowerName === 'src') {
    return LOCAL_REFERENCE.test(value);
  }
  if (/javascript:|vbscript:|@import|expression\s*\(/i.test(value)) {
    return false;
  }
  for (const match of value.matchAll(CSS_URL)) {
    if (!(match[2] ?? '').trim().startsWith('#')) {
      return false;
    }
  }
  return true;
}

/**
 * Parses an SVG document and returns it with every script, event handler, foreignObject, style
 * sheet and external reference removed, serialized as XML without its prolog. Throws a
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
  });
  return new window.XMLSerializer().serializeToString(root);
}
