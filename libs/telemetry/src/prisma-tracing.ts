import { context, trace, type Context } from '@opentelemetry/api';
import { PrismaInstrumentation } from '@prisma/instrumentation';

/** Prisma's options of a child span: `context` is its parent only when `active` is false. */
interface ChildSpanOptions {
  name: string;
  context?: Context;
  active?: boolean;
}

/**
 * What Prisma's client calls on the tracing helper `@prisma/instrumentation` installs (its
 * `TracingHelper`; the client uses a disabled one, whose `runInChildSpan` just calls back, when
 * none is installed).
 */
interface PrismaTracingHelper {
  isEnabled(): boolean;
  getTraceParent(context?: Context): string;
  dispatchEngineSpans(
    spans: unknown[],
    events: unknown[],
    emitLogEvent: (e: unknown) => void,
  ): void;
  getActiveContext(): Context | undefined;
  runInChildSpan<R>(options: string | ChildSpanOptions, callback: (...args: unknown[]) => R): R;
}

/** Where `@prisma/instrumentation` puts the helper (the unversioned key names the same object). */
const GLOBAL_KEY = 'PRISMA_INSTRUMENTATION';

const recording = (at: Context | undefined) => trace.getSpan(at ?? context.active())?.isRecording();

/**
 * Prisma's helper, tracing only inside a recording span, as the pg instrumentation's
 * `requireParentSpan`: the lease renewals, heartbeats and checkpoints that run outside any
 * request cost nothing then. Prisma's own helper opens spans for every operation (operation,
 * serialize, compile, db_query, ...) whatever the context, and each is a sampler decision, a
 * context switch and garbage even when the sampler drops it.
 */
export class ParentOnlyTracingHelper implements PrismaTracingHelper {
  constructor(private readonly inner: PrismaTracingHelper) {}

  isEnabled(): boolean {
    return recording(undefined) === true;
  }

  getTraceParent(at?: Context): string {
    return this.inner.getTraceParent(at);
  }

  dispatchEngineSpans(spans: unknown[], events: unknown[], emit: (e: unknown) => void): void {
    if (recording(undefined)) return this.inner.dispatchEngineSpans(spans, events, emit);
    for (const event of events) emit(event);
  }

  getActiveContext(): Context | undefined {
    return this.inner.getActiveContext();
  }

  runInChildSpan<R>(options: string | ChildSpanOptions, callback: (...args: unknown[]) => R): R {
    // The parent Prisma's helper gives the span: the active context, or the one named with
    // `active: false`.
    const at =
      typeof options === 'object' && options.active === false ? options.context : undefined;
    return recording(at) ? this.inner.runInChildSpan(options, callback) : callback();
  }
}

/** `PrismaInstrumentation` whose spans need a recording parent (see ParentOnlyTracingHelper). */
export class ParentOnlyPrismaInstrumentation extends PrismaInstrumentation {
  override enable(): void {
    super.enable();
    const installed = (globalThis as Record<string, { helper?: PrismaTracingHelper } | undefined>)[
      GLOBAL_KEY
    ];
    // Another layout in a later @prisma/instrumentation: its own helper stays, tracing everything.
    if (installed?.helper && !(installed.helper instanceof ParentOnlyTracingHelper))
      installed.helper = new ParentOnlyTracingHelper(installed.helper);
  }
}
