/** Where a world runs: its physics owner, as the controller last read it from the leases. */
export interface WorldPlacement {
  /** The replica holding the world's physics lease (a pod name). */
  replica: string;
  /** That replica's own address (host:port). */
  address: string;
  /** The lease epoch: it grows every time the world changes owner. */
  epoch: number;
  /** `Running`: the lease is live; `OwnerLost`: it expired unrenewed (a takeover is due); `Stopped`: released on purpose. */
  state: 'Running' | 'OwnerLost' | 'Stopped';
  /** Why an orphaned world is not taken over, when the controller knows (e.g. no live replica reads its state format). */
  message?: string;
}
