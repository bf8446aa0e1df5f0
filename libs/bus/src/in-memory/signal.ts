// A wake-up signal for loops that wait for "something changed" (an append, a member leaving).

/** Every `wait()` pending when `notify()` is called resolves; later waits wait for the next notify. */
export class Signal {
  private pending: Promise<void> | undefined;
  private release: (() => void) | undefined;

  wait(): Promise<void> {
    this.pending ??= new Promise<void>((resolve) => (this.release = resolve));
    return this.pending;
  }

  notify(): void {
    const release = this.release;
    this.pending = undefined;
    this.release = undefined;
    release?.();
  }
}

/** Resolves after `ms`, or earlier when `signal` is notified; never keeps a timer alive longer. */
export async function sleepUnlessSignalled(ms: number, signal: Signal): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
    signal.wait(),
  ]);
  clearTimeout(timer);
}
