/**
 * SVG sanitizing of uploaded badge images: active content and references that leave the file are
 * removed, drawing content and local references stay, and input that is not SVG is rejected.
 */
import { describe, expect, test } from 'vitest';
import { ValidationError } from '../../server/errors.ts';
import { sanitizeSvg } from '../../server/services/svg-sanitizer.ts';

const SVG_OPEN =
  '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">';
const wrap = (inner: string) => `${SVG_OPEN}${inner}</svg>`;
const PNG_DATA = 'data:image/png;base64,iVBORw0KGgo=';

describe('sanitizeSvg', () => {
  test.each([
    ['a script', wrap('<script>alert(1)</script>'), /<script/i],
    ['a CDATA script', wrap('<script><![CDATA[alert(1)]]></script>'), /alert/],
    [
      'an event handler on the root',
      `${SVG_OPEN.replace('>', ' onload="alert(1)">')}</svg>`,
      /onload/,
    ],
    [
      'an event handler',
      wrap('<rect width="1" height="1" onmouseover="alert(1)"/>'),
      /onmouseover/,
    ],
    ['a foreignObject', wrap('<foreignObject><p>x</p></foreignObject>'), /foreignObject|<p/],
    [
      'a mixed-case javascript link',
      wrap('<a href=" JaVaScRiPt:alert(1)"><text>x</text></a>'),
      /javascript/i,
    ],
    [
      'an xlink javascript link',
      wrap('<a xlink:href="javascript:alert(1)"><text>x</text></a>'),
      /javascript/i,
    ],
    ['an external image', wrap('<image href="https://attacker.example/a.png"/>'), /attacker/],
    ['an SVG data image', wrap('<image href="data:image/svg+xml;base64,PHN2Zz4="/>'), /svg\+xml/],
    ['an external use', wrap('<use xlink:href="https://attacker.example/s.svg#i"/>'), /attacker/],
    [
      'an external filter image',
      wrap('<filter id="f"><feImage href="https://attacker.example/x"/></filter>'),
      /attacker/,
    ],
    [
      'an external url() paint',
      wrap('<rect width="1" height="1" fill="url(https://attacker.example/p)"/>'),
      /attacker/,
    ],
    [
      'an external url() in style',
      wrap('<rect width="1" height="1" style="fill: url(\'//attacker.example/p\')"/>'),
      /attacker/,
    ],
    [
      'a style sheet',
      wrap('<style>@import "https://attacker.example/a.css";</style>'),
      /<style|attacker/,
    ],
    [
      'an animation of href',
      wrap('<a><animate attributeName="href" to="javascript:alert(1)"/></a>'),
      /animate|javascript/,
    ],
    ['a set element', wrap('<set attributeName="onclick" to="alert(1)"/>'), /<set|alert/],
    [
      'an HTML script in the XHTML namespace',
      wrap('<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>'),
      /<h:script|<script/,
    ],
    ['an iframe', wrap('<iframe src="https://attacker.example/"/>'), /iframe|attacker/],
    [
      'an animateTransform',
      wrap(
        '<rect width="1" height="1"><animateTransform attributeName="transform" type="rotate" to="90"/></rect>',
      ),
      /animateTransform/i,
    ],
    [
      'an animateMotion with an mpath',
      wrap(
        '<path id="p" d="M0 0L9 9"/><circle r="1"><animateMotion dur="1s"><mpath href="#p"/></animateMotion></circle>',
      ),
      /animateMotion|mpath/i,
    ],
    ['a discard element', wrap('<discard begin="1s"/>'), /discard/i],
    [
      'a style attribute with escaped url() and image-set()',
      wrap(
        `<rect width="1" height="1" style="mask: u\\72l(http://attacker.example/mask); -webkit-mask-image: image-set('http://attacker.example/webkit-mask' 1x); cursor: u\\72l(http://attacker.example/cursor), auto; background: image-set('http://attacker.example/background' 1x)"/>`,
      ),
      /attacker|style=/,
    ],
    [
      'a harmless style attribute',
      wrap('<rect width="1" height="1" style="fill: red"/>'),
      /style=/,
    ],
    [
      'an escaped url() in a presentation attribute',
      wrap('<rect width="1" height="1" mask="u\\72l(http://attacker.example/mask)"/>'),
      /attacker/,
    ],
    [
      'an image-set() cursor',
      wrap(`<rect width="1" height="1" cursor="image-set('http://attacker.example/c' 1x), auto"/>`),
      /attacker/,
    ],
    [
      'a prefixed image-set() fill',
      wrap(`<rect width="1" height="1" fill="-webkit-image-set('//attacker.example/f' 1x)"/>`),
      /attacker/,
    ],
    [
      'a cross-fade() filter',
      wrap(
        `<rect width="1" height="1" filter="cross-fade(url(#a), url('//attacker.example/x'))"/>`,
      ),
      /attacker/,
    ],
    ['an element() fill', wrap('<rect width="1" height="1" fill="element(#a)"/>'), /element\(/],
    [
      'a url() hidden behind a comment and an escape',
      wrap('<rect width="1" height="1" fill="url(#a) /**/ \\75 rl(//attacker.example/x)"/>'),
      /attacker/,
    ],
    [
      'a processing instruction',
      `<?xml-stylesheet href="https://attacker.example/a.css"?>${wrap('')}`,
      /attacker/,
    ],
  ])('removes %s', async (_name, input, forbidden) => {
    const output = await sanitizeSvg(input);

    expect(output).not.toMatch(forbidden);
    expect(output).toMatch(/^<svg /);
  });

  test('keeps drawing and local references', async () => {
    const input = wrap(
      `<defs><linearGradient id="g"><stop offset="0" stop-color="#123456"/></linearGradient></defs>
      <rect width="10" height="10" fill="url(#g)" style="stroke: url(#g)"/>
      <use xlink:href="#g"/><image href="${PNG_DATA}" width="1" height="1"/>
      <a href="#g"><text x="1" y="5">A &amp; B &lt;script&gt;</text></a>`,
    );

    const output = await sanitizeSvg(input);

    expect(output).toContain('fill="url(#g)"');
    expect(output).toContain('url(#g)');
    // DOMPurify 3.5 lists <use> among the SVG elements it always removes, local reference or not.
    expect(output).not.toContain('<use');
    expect(output).toContain(`href="${PNG_DATA}"`);
    expect(output).toContain('viewBox="0 0 10 10"');
    expect(output).toContain('linearGradient');
    expect(output).toContain('A &amp; B &lt;script&gt;');
    expect(output).not.toContain('<script');
  });

  test('keeps an escaped same-document url()', async () => {
    const output = await sanitizeSvg(
      wrap('<mask id="m"/><rect width="1" height="1" mask="u\\72l(#m)" fill="url(\'#m\')"/>'),
    );

    expect(output).toContain('mask="u\\72l(#m)"');
    expect(output).toContain('fill="url(\'#m\')"');
  });

  test('returns well-formed SVG', async () => {
    const output = await sanitizeSvg(wrap('<circle r="4"/><script>x</script>'));
    const again = await sanitizeSvg(output);

    expect(again).toBe(output);
  });

  test.each([
    ['HTML', '<html><body><svg></svg></body></html>'],
    ['SVG without its namespace', '<svg viewBox="0 0 1 1"></svg>'],
    ['malformed XML', '<svg xmlns="http://www.w3.org/2000/svg"><g></svg>'],
    [
      'entity declarations',
      '<!DOCTYPE svg [<!ENTITY a "aa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
    ],
    ['plain text', 'just some text'],
  ])('rejects %s', async (_name, input) => {
    await expect(sanitizeSvg(input)).rejects.toBeInstanceOf(ValidationError);
  });
});
