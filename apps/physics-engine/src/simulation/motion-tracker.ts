import type { World } from '@dimforge/rapier2d-deterministic-compat';
import type { BodyView } from '@anvil/engine-contract';
import type { BodyTable } from './apply-intent';
import { toMilli, type BodyMotion, type BodyRecord } from './quantise';

const byId = (a: BodyRecord, b: BodyRecord): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Values kept per body in `MotionTracker.motion`: x, y, angle, vx, vy. */
const FIELDS = 5;

/** A stored value as an int32 when it is one, so that V8 keeps it unboxed in the delta's objects. */
const int = (value: number): number => ((value | 0) === value ? value | 0 : value);

/**
 * Finds the bodies whose quantised motion a step changed. It reads only the bodies that can
 * have moved, each once: awake now (a scan of isSleeping when many are awake, else Rapier's
 * active set), awake after the previous step (so a body that just fell asleep reports its final
 * rest), or touched by a command.
 *
 * The bodies are kept in id order (a body's index there is its `rank`), with their Rapier handle
 * and last quantised motion in flat typed arrays, and Rapier is read through its raw body set
 * (the calls RigidBody's methods make): reading a body touches no per-body JS object, neither our
 * record nor Rapier's RigidBody wrapper, and only a body that changed is looked up to report it.
 */
export class MotionTracker {
  /** The records in id order; rebuilt after bodies are added or removed. */
  private records: BodyRecord[] = [];
  private handles = new Float64Array(0);
  /** 1 for a body that can move (not fixed). */
  private movable = new Uint8Array(0);
  /** The quantised motion last read, FIELDS per rank; NaN (never equal) before the first read. */
  private motion = new Float64Array(0);
  /** The tick that last read each rank. */
  private readAt = new Float64Array(0);
  /** Ranks of the bodies awake after the previous step. */
  private awake: number[] = [];
  private stale = true;
  private readonly raw: World['bodies']['raw'];
  /** Rapier writes a vector into the array it is given: one per tracker, no allocation per read. */
  private readonly scratch = new Float32Array(2);

  constructor(
    private readonly world: World,
    private readonly bodies: BodyTable,
  ) {
    this.raw = world.bodies.raw;
  }

  /** Bodies were added or removed: the id order is rebuilt before the next read. */
  invalidate(): void {
    this.stale = true;
  }

  /** A restored world: the bodies Rapier has awake count as awake after the previous step. */
  wakeActive(): void {
    this.rebuildIfStale();
    this.world.forEachActiveRigidBody((body) => {
      if (body.userData) this.awake.push((body.userData as BodyRecord).rank!);
    });
  }

  /** After the step that completed `tick`: the bodies whose quantised motion changed, by id. */
  changes(tick: number, touched: ReadonlySet<string>): BodyMotion[] {
    this.rebuildIfStale();
    const { handles, movable, raw, readAt } = this;
    const changed: number[] = [];
    const read = (rank: number) => {
      if (readAt[rank] === tick) return;
      readAt[rank] = tick;
      if (this.refresh(rank)) changed.push(rank);
    };
    const wasAwake = this.awake;
    const awake: number[] = (this.awake = []);
    if (wasAwake.length * 4 >= handles.length) {
      // Mostly awake: one cheap isSleeping() per body beats a WASM->JS callback per active body.
      for (let rank = 0; rank < handles.length; rank++) {
        if (movable[rank] && !raw.rbIsSleeping(handles[rank])) {
          awake.push(rank);
          read(rank);
        }
      }
    } else {
      this.world.forEachActiveRigidBody((body) => {
        if (!body.userData) return;
        const rank = (body.userData as BodyRecord).rank!;
        awake.push(rank);
        read(rank);
      });
    }
    wasAwake.forEach(read);
    for (const id of touched) {
      const record = this.bodies.get(id);
      if (record) read(record.rank!); // absent when spawned and removed at the same boundary
    }
    // Found by the scan, the ranks are already in order, and sorting them is one pass.
    return changed.sort((a, b) => a - b).map((rank) => this.motionAt(rank));
  }

  /** Quantised views of all bodies, sorted by id, read now (between steps: the last delta's). */
  views(): BodyView[] {
    this.rebuildIfStale();
    return this.records.map((record, rank) => {
      this.refresh(rank);
      const { x, y, angle, vx, vy } = this.motionAt(rank);
      const { id, kind, shape, halfWidthMm, halfHeightMm } = record;
      return {
        id,
        kind,
        shape,
        halfWidthMm,
        halfHeightMm,
        xMm: x,
        yMm: y,
        angleMrad: angle,
        vxMmS: vx,
        vyMmS: vy,
      };
    });
  }

  /** Reads the body's quantised motion; when it differs from the stored one, stores it and returns true. */
  private refresh(rank: number): boolean {
    const { raw, scratch } = this;
    const handle = this.handles[rank];
    raw.rbTranslation(handle, scratch);
    const x = toMilli(scratch[0]);
    const y = toMilli(scratch[1]);
    raw.rbLinvel(handle, scratch);
    const vx = toMilli(scratch[0]);
    const vy = toMilli(scratch[1]);
    const angle = toMilli(raw.rbRotation(handle));
    const m = this.motion;
    const at = rank * FIELDS;
    if (
      m[at] === x &&
      m[at + 1] === y &&
      m[at + 2] === angle &&
      m[at + 3] === vx &&
      m[at + 4] === vy
    )
      return false;
    m[at] = x;
    m[at + 1] = y;
    m[at + 2] = angle;
    m[at + 3] = vx;
    m[at + 4] = vy;
    return true;
  }

  private motionAt(rank: number): BodyMotion {
    const m = this.motion;
    const at = rank * FIELDS;
    return {
      id: this.records[rank].id,
      x: int(m[at]),
      y: int(m[at + 1]),
      angle: int(m[at + 2]),
      vx: int(m[at + 3]),
      vy: int(m[at + 4]),
    };
  }

  /** Re-sorts the records and carries each surviving body's motion and awake mark to its new rank. */
  private rebuildIfStale(): void {
    if (!this.stale) return;
    this.stale = false;
    const previous = this.records;
    const previousMotion = this.motion;
    const wasAwake = this.awake.map((rank) => previous[rank]);
    this.records = [...this.bodies.values()].sort(byId);
    const count = this.records.length;
    this.handles = new Float64Array(count);
    this.movable = new Uint8Array(count);
    this.motion = new Float64Array(count * FIELDS).fill(NaN);
    this.readAt = new Float64Array(count);
    this.records.forEach((record, rank) => {
      const old = record.rank;
      if (old !== undefined && previous[old] === record)
        this.motion.set(previousMotion.subarray(old * FIELDS, (old + 1) * FIELDS), rank * FIELDS);
      record.rank = rank;
      this.handles[rank] = record.handle;
      this.movable[rank] = record.kind === 'fixed' ? 0 : 1;
    });
    this.awake = wasAwake.filter((r) => this.bodies.get(r.id) === r).map((r) => r.rank!);
  }
}
