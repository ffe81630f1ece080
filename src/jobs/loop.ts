/**
 * A polling loop that both runners use: runs `step` again at once while it finds work, sleeps
 * `intervalMs` when it finds none or fails, and ends when stopped (after the running step finished).
 */
import type { JobLog } from './jobs.js';

export interface Loop {
  /** Runs the next step now instead of after the sleep. */
  wake(): void;
  /** Resolves when the current step finished and the loop ended. */
  stop(): Promise<void>;
}

export function startLoop(name: string, intervalMs: number, step: () => Promise<boolean>, log: JobLog): Loop {
  let stopped = false;
  let wakeUp: (() => void) | undefined;
  const sleep = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, intervalMs);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });
  const finished = (async () => {
    while (!stopped) {
      let more = false;
      try {
        more = await step();
      } catch (err) {
        log.error({ err, loop: name }, 'job loop step failed');
      }
      if (!more && !stopped) await sleep();
    }
  })();
  return {
    wake: () => wakeUp?.(),
    async stop() {
      stopped = true;
      wakeUp?.();
      await finished;
    },
  };
}

/** Resolves with the promise, or after ms (whichever comes first). */
export async function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
