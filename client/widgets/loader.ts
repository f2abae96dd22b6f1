/**
 * The one script a page includes: `<script type="module" src=".../embed/loader.js">`. It defines
 * no element itself. When a `staffroom-*` tag is in the page, now or later, it imports that
 * widget's chunk, which the browser resolves relative to this script's own URL.
 *
 * NOTE: tags inside other shadow roots are not seen; import the widget's chunk from there.
 */
const WIDGETS: Record<string, () => Promise<unknown>> = {
  'staffroom-feed': () => import('./feed/feed.tsx'),
  'staffroom-sessions': () => import('./sessions/sessions.tsx'),
  'staffroom-chat': () => import('./chat/chat.tsx'),
  'staffroom-badges': () => import('./badges/badges.tsx'),
  'staffroom-community': () => import('./community/community.tsx'),
};

const waiting = new Set(Object.keys(WIDGETS));
const observer = new MutationObserver(loadPresentWidgets);

function observe(): void {
  observer.observe(document.documentElement, { childList: true, subtree: true });
}

function loadPresentWidgets(): void {
  for (const tag of waiting) {
    if (document.querySelector(tag)) {
      waiting.delete(tag);
      // A failed import (a network error) lets a later change of the page try again.
      WIDGETS[tag]?.().catch(() => {
        waiting.add(tag);
        observe();
      });
    }
  }
  if (waiting.size === 0) {
    observer.disconnect();
  }
}

observe();
loadPresentWidgets();
