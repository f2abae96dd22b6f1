/**
 * The Staffroom server that served the widget scripts, such as `https://staffroom.example.org`,
 * without a trailing slash. The scripts live in its /embed/ folder, so it is the folder above.
 */
export const STAFFROOM_BASE = new URL(/* @vite-ignore */ '../', import.meta.url).href.slice(0, -1);

/** Whether this page is the server's iframe page, /embed/frame/<widget>, rather than a portal. */
export const IN_FRAME = location.href.startsWith(`${STAFFROOM_BASE}/embed/frame/`);
