import { createEffect } from 'solid-js';

/** Keeps the document title on the page's subject, which screen readers announce on navigation. */
export function createDocumentTitle(title: () => string | undefined): void {
  createEffect(() => {
    const current = title();
    document.title = current ? `${current} · Staffroom` : 'Staffroom';
  });
}
