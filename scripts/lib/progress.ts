// One progress line for long CLI runs, rewritten in place on a terminal; nothing at all when the
// output is not a terminal or CI=true (logs and CI output stay clean).

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): boolean;
}

export interface ProgressLine {
  /** Rewrites the line, at most once per interval (the last update before done() is always shown). */
  update(text: string): void;
  /** Ends the line so what follows starts on a new one. */
  done(): void;
}

export function progressLine(stream: ProgressStream = process.stderr, env: NodeJS.ProcessEnv = process.env, now: () => number = Date.now, intervalMs = 200): ProgressLine {
  const enabled = stream.isTTY === true && env.CI !== 'true' && env.CI !== '1';
  let shown = false;
  let lastAt = Number.NEGATIVE_INFINITY;
  let pending: string | undefined;
  const show = (text: string) => {
    // \r back to the start, \x1b[K clears what a longer previous line left.
    stream.write(`\r${text}\x1b[K`);
    shown = true;
    lastAt = now();
    pending = undefined;
  };
  return {
    update(text) {
      if (!enabled) return;
      if (now() - lastAt >= intervalMs) show(text);
      else pending = text;
    },
    done() {
      if (!enabled) return;
      if (pending !== undefined) show(pending);
      if (shown) stream.write('\n');
      shown = false;
    },
  };
}

/** "12.5/s" from a count and milliseconds. */
export const rate = (count: number, elapsedMs: number) => `${elapsedMs > 0 ? ((count * 1000) / elapsedMs).toFixed(1) : '0.0'}/s`;
