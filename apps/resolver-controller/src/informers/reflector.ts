import { FailureBackoff, type BackoffOptions } from '../queue/backoff';
import {
  sleep,
  wallClock,
  unrefTimers,
  type Clock,
  type TimerHandle,
  type Timers,
} from '@anvil/runtime';
import type { KubeObject } from './kube-object';
import {
  statusCodeOf,
  type ListWatchSource,
  type WatchEvent,
  type WatchHandle,
} from './list-watch';
import type { Delta, Store } from './store';

/** Why a watch ended; `gone` (410) and `error` lead to a relist. */
export type WatchEnd = 'closed' | 'gone' | 'error';

/** A watch that delivered nothing and outlived its own timeout by this much is abandoned. */
const WATCHDOG_GRACE_SECONDS = 30;
/** A watch closed by the server sooner than this without an event counts as a failure. */
const SHORT_WATCH_MS = 1_000;

/** Settings and observers of a Reflector. */
export interface ReflectorOptions<T extends KubeObject> {
  source: ListWatchSource<T>;
  store: Store<T>;
  /** Informer handler: called for every change, in order (handlers only enqueue). */
  onDelta: (delta: Delta<T>) => void;
  /** Called after every (re)list with the number of items. */
  onList?: (count: number) => void;
  /** Called when a watch ended and a new one (or a relist) follows. */
  onWatchEnd?: (reason: WatchEnd, error?: unknown) => void;
  /** Called when listing failed (a retry follows after the backoff). */
  onListError?: (error: unknown) => void;
  /** Server-side watch timeout: each watch asks for a random value in [min, 2*min] seconds. */
  minWatchTimeoutSeconds?: number;
  backoff?: BackoffOptions;
  clock?: Clock;
  timers?: Timers;
  random?: () => number;
}

interface WatchOutcome {
  end: WatchEnd;
  resourceVersion: string;
  events: number;
  error?: unknown;
}

/**
 * Keeps a Store in sync with the API server (client-go's Reflector): list, then watch from the
 * list's resourceVersion, applying every event to the store and handing the deltas on. A watch
 * the server closes is resumed from the last resourceVersion seen; a 410 Gone relists at once;
 * any other watch or list failure relists after an exponential backoff with jitter, which
 * resets once a watch delivers events or runs its course. Bookmarks keep the resourceVersion
 * fresh so resuming rarely needs a relist.
 */
export class Reflector<T extends KubeObject> {
  private stopped = false;
  private running?: Promise<void>;
  private cancelWatch?: () => void;
  private synced = false;
  private markSynced!: () => void;
  private readonly syncedPromise = new Promise<void>((resolve) => (this.markSynced = resolve));
  private readonly abort = new AbortController();
  private readonly failures: FailureBackoff;
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly random: () => number;

  constructor(private readonly options: ReflectorOptions<T>) {
    this.clock = options.clock ?? wallClock;
    this.timers = options.timers ?? unrefTimers;
    this.random = options.random ?? Math.random;
    this.failures = new FailureBackoff(
      options.backoff ?? { baseDelayMs: 200, maxDelayMs: 30_000, jitter: 0.5 },
      this.random,
    );
  }

  /** The resource this reflector watches. */
  get resource(): string {
    return this.options.source.resource;
  }

  /** True once the first list has been applied to the store. */
  get hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once the first list has been applied to the store. */
  waitForSync(): Promise<void> {
    return this.syncedPromise;
  }

  /** Starts listing and watching in the background. */
  start(): void {
    this.running ??= this.loop();
  }

  /** Stops the watch and the loop. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    this.cancelWatch?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    let resourceVersion = '';
    let needList = true;
    while (!this.stopped) {
      if (needList) {
        const listed = await this.list();
        if (listed === undefined) {
          await this.pause();
          continue;
        }
        resourceVersion = listed;
        needList = false;
      }
      const outcome = await this.watchOnce(resourceVersion);
      if (this.stopped) break;
      resourceVersion = outcome.resourceVersion;
      this.options.onWatchEnd?.(outcome.end, outcome.error);
      if (outcome.events > 0 || outcome.end === 'closed') this.failures.forget('watch');
      if (outcome.end === 'closed') continue;
      needList = true;
      if (outcome.end === 'error') await this.pause();
    }
  }

  /** Lists and replaces the store; returns the resourceVersion, or undefined on failure. */
  private async list(): Promise<string | undefined> {
    try {
      const { items, resourceVersion } = await this.options.source.list();
      if (this.stopped) return undefined;
      for (const delta of this.options.store.replace(items)) this.options.onDelta(delta);
      this.options.onList?.(items.length);
      if (!this.synced) {
        this.synced = true;
        this.markSynced();
      }
      return resourceVersion;
    } catch (error) {
      if (!this.stopped) this.options.onListError?.(error);
      return undefined;
    }
  }

  private pause(): Promise<void> {
    return sleep(this.timers, this.failures.next('watch'), this.abort.signal);
  }

  private watchOnce(fromVersion: string): Promise<WatchOutcome> {
    return new Promise((resolve) => {
      const timeoutSeconds = Math.round(
        (this.options.minWatchTimeoutSeconds ?? 300) * (1 + this.random()),
      );
      const started = this.clock.now();
      let resourceVersion = fromVersion;
      let events = 0;
      let settled = false;
      let handle: WatchHandle | undefined;
      const finish = (end: WatchEnd, error?: unknown) => {
        if (settled) return;
        settled = true;
        this.timers.clearTimeout(watchdog);
        handle?.abort();
        this.cancelWatch = undefined;
        resolve({ end, resourceVersion, events, error });
      };
      const failed = (error: unknown) =>
        finish(statusCodeOf(error) === 410 ? 'gone' : 'error', error);
      const onEvent = (event: WatchEvent) => {
        if (settled) return;
        if (event.type === 'ERROR') return failed(new WatchErrorEvent(event.object));
        const version = (event.object as KubeObject | undefined)?.metadata?.resourceVersion;
        if (event.type !== 'BOOKMARK') {
          events++;
          this.apply(event);
        }
        if (version) resourceVersion = version;
      };
      const onDone = (error?: unknown) => {
        if (error !== undefined && error !== null) return failed(error);
        const short = events === 0 && this.clock.now() - started < SHORT_WATCH_MS;
        finish(
          short ? 'error' : 'closed',
          short ? new Error('watch closed right after it opened') : undefined,
        );
      };
      const watchdog: TimerHandle = this.timers.setTimeout(
        () => finish('error', new Error('watch outlived its timeout')),
        (timeoutSeconds + WATCHDOG_GRACE_SECONDS) * 1000,
      );
      this.cancelWatch = () => finish('error', new Error('reflector stopped'));
      this.options.source.watch(fromVersion, timeoutSeconds, onEvent, onDone).then((h) => {
        handle = h;
        if (settled) h.abort();
      }, failed);
    });
  }

  private apply(event: WatchEvent): void {
    const obj = event.object as T;
    if (!obj?.metadata?.name) return;
    const delta =
      event.type === 'DELETED' ? this.options.store.remove(obj) : this.options.store.upsert(obj);
    if (delta) this.options.onDelta(delta);
  }
}

/** A watch ERROR event (a metav1.Status in the stream); `code` 410 means the version is gone. */
export class WatchErrorEvent extends Error {
  override name = 'WatchErrorEvent';
  readonly code: number | undefined;

  constructor(readonly status: unknown) {
    const s = (status ?? {}) as { code?: unknown; message?: unknown };
    super(
      `watch error event: ${typeof s.message === 'string' ? s.message : JSON.stringify(status)}`,
    );
    this.code = typeof s.code === 'number' ? s.code : undefined;
  }
}
