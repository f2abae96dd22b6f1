// The line that a server started by the benchmark prints once it listens, and how such a process
// notices that the benchmark is gone.

/** Prints the ready line, {"ready":"<base URL>"}, on standard output. */
export function printReady(url: string): void {
  process.stdout.write(`${JSON.stringify({ ready: url })}\n`);
}

/** Returns the base URL of a ready line, or null for any other line. */
export function readyUrl(line: string): string | null {
  if (!line.startsWith('{"ready":')) {
    return null;
  }
  try {
    const { ready } = JSON.parse(line) as { ready?: unknown };
    return typeof ready === 'string' ? ready : null;
  } catch {
    return null;
  }
}

/**
 * Calls `stop` when standard input closes. The benchmark keeps each child's standard input open
 * and never writes to it, so it closes only when the benchmark process is gone, even when that
 * was killed and could not stop its children.
 */
export function exitWhenParentLeaves(stop: () => void): void {
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}
