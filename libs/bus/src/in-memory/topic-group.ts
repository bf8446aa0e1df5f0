// One consumer group on one topic: committed offsets and one delivery loop per partition.
// A partition's loop hands one record at a time to the member that owns the partition and
// commits only after the handler resolved, so per-key order holds and nothing is skipped.
import type { BusHandler, BusMessage } from '../event-bus';
import type { TopicLog } from './broker';
import { Signal, sleepUnlessSignalled } from './signal';

/** A subscribed handler and how its failures are retried. */
export interface GroupMember {
  handler: BusHandler;
  /** Delay before redelivering after the n-th consecutive failure (n >= 1). */
  redeliveryDelay(attempt: number): number;
  onHandlerError(error: unknown, message: BusMessage, attempt: number): void;
}

export class TopicGroup {
  private readonly committed: number[];
  private readonly members: GroupMember[] = [];
  /** Notified when members change, so waiting loops re-check. */
  private readonly changed = new Signal();
  private loops: Promise<void> | undefined;
  private readonly inFlight = new Map<GroupMember, Set<Promise<unknown>>>();

  constructor(
    private readonly log: TopicLog,
    fromBeginning: boolean,
  ) {
    this.committed = Array.from({ length: log.partitionCount }, (_, partition) =>
      fromBeginning ? log.startOffset(partition) : log.endOffset(partition),
    );
  }

  committedOffsets(): number[] {
    return [...this.committed];
  }

  /** Adds a member; partitions are spread over members round-robin (partition p -> member p mod n). */
  async join(member: GroupMember): Promise<void> {
    // The last member's loops may still be finishing: never run two loops on one partition.
    if (this.members.length === 0) await this.loops;
    this.members.push(member);
    this.changed.notify();
    if (this.members.length === 1) {
      const partitions = Array.from(
        { length: this.log.partitionCount },
        (_, partition) => partition,
      );
      this.loops = Promise.all(partitions.map((partition) => this.run(partition))).then(
        () => undefined,
      );
    }
  }

  /** Removes a member; resolves once its in-flight handlers have finished. */
  async leave(member: GroupMember): Promise<void> {
    const index = this.members.indexOf(member);
    if (index < 0) return;
    this.members.splice(index, 1);
    this.changed.notify();
    this.log.appended.notify();
    await Promise.allSettled(this.inFlight.get(member) ?? []);
    this.inFlight.delete(member);
    if (this.members.length === 0) await this.loops;
  }

  private async run(partition: number): Promise<void> {
    let attempt = 0;
    while (this.members.length > 0) {
      // Records past retention are gone: resume at the oldest kept one (Kafka's "earliest" reset).
      const offset = Math.max(this.committed[partition], this.log.startOffset(partition));
      const record = this.log.read(partition, offset);
      if (!record) {
        await Promise.race([this.log.appended.wait(), this.changed.wait()]);
        continue;
      }
      const member = this.members[partition % this.members.length];
      const message: BusMessage = {
        topic: this.log.name,
        key: record.key,
        event: JSON.parse(record.value),
        partition,
        offset: String(offset),
      };
      const result = await this.deliver(member, message);
      if (result.ok) {
        this.committed[partition] = offset + 1;
        attempt = 0;
        continue;
      }
      attempt += 1;
      member.onHandlerError(result.error, message, attempt);
      // The owner left (closing): hand the record to the next owner, or stop, without waiting.
      if (this.members.includes(member))
        await sleepUnlessSignalled(member.redeliveryDelay(attempt), this.changed);
    }
  }

  /** Runs the handler, remembering the call so that `leave` can wait for it. */
  private async deliver(
    member: GroupMember,
    message: BusMessage,
  ): Promise<{ ok: boolean; error?: unknown }> {
    let calls = this.inFlight.get(member);
    if (!calls) this.inFlight.set(member, (calls = new Set()));
    const call = (async () => member.handler(message))();
    calls.add(call);
    try {
      await call;
      return { ok: true };
    } catch (error) {
      return { ok: false, error };
    } finally {
      calls.delete(call);
    }
  }
}
