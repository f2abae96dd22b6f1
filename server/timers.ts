// setTimeout waits at most 2^31 - 1 ms (about 24.8 days), so a longer wait is made of several.
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Runs `callback` at the instant `at` (milliseconds since the epoch), however far ahead, without
 * keeping the process alive. Returns a function that cancels it.
 */
export function runAt(at: number, callback: () => void): () => void {
  let timer: NodeJS.Timeout;
  const arm = () => {
    const wait = at - Date.now();
    timer =
      wait > MAX_TIMER_MS ? setTimeout(arm, MAX_TIMER_MS) : setTimeout(callback, Math.max(wait, 0));
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}
