import { describe, expect, test } from 'vitest';
import { renderMarkdown } from '../../server/markdown.ts';

describe('renderMarkdown', () => {
  test('keeps ordinary formatting and links', () => {
    const html = renderMarkdown(
      '**bold**, _em_ and [docs](https://example.org "Docs")\n\n- one\n- two',
    );

    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<em>em</em>');
    expect(html).toContain('href="https://example.org"');
    expect(html).toContain('rel="nofollow noopener noreferrer"');
    expect(html).toContain('<li>two</li>');
  });

  test.each([
    ['a script tag', '<script>alert(1)</script>', /<script/i],
    ['an event handler', '<img src=x onerror=alert(1)>', /onerror/i],
    ['a javascript link', '[x](javascript:alert(1))', /javascript:/i],
    ['a mixed-case javascript link', '[x](JaVaScRiPt:alert(1))', /javascript:/i],
    ['a data link', '<a href="data:text/html,x">d</a>', /data:/i],
    ['an iframe', '<iframe src="https://example.org"></iframe>', /<iframe/i],
    ['an svg handler', '<svg onload=alert(1)>', /onload|<svg/i],
    ['a style block', '<style>body{display:none}</style>', /<style/i],
    ['a form', '<form action="https://example.org"><input name="a"></form>', /<form|name=/i],
  ])('strips %s', (_name, markdown, forbidden) => {
    expect(renderMarkdown(markdown)).not.toMatch(forbidden);
  });

  test('escapes HTML inside code', () => {
    expect(renderMarkdown('`<script>`')).toBe('<p><code>&lt;script&gt;</code></p>\n');
  });
});
