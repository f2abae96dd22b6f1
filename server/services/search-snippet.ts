/**
 * Marks of a hit in a search snippet: private-use characters (U+E000 and U+E001) that the server
 * removes from the text before PostgreSQL's ts_headline inserts them, so only real hits carry
 * them. Clients turn each marked stretch into a `<mark>` element.
 */
export const SNIPPET_HIT_START = '\uE000';
export const SNIPPET_HIT_END = '\uE001';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes the HTML special characters of a snippet, leaving the hit marks, so that the snippet
 * is safe to insert as HTML once its marks become `<mark>` tags.
 */
export function escapeSnippet(snippet: string): string {
  return snippet.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}
