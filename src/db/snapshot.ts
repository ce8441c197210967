// Which transactions a statement's reads saw, from the snapshot it read in: pg_current_snapshot()
// as text, `xmin:xmax:xip,…` (PostgreSQL's pg_snapshot, on PGlite too). Transaction ids are 64-bit
// (xid8, pg_current_xact_id()), so they are compared as bigints.

type Snapshot = { xmin: bigint; xmax: bigint; inProgress: ReadonlySet<bigint> };

export function parseSnapshot(text: string): Snapshot {
  const match = /^(\d+):(\d+):([\d,]*)$/.exec(text);
  if (!match) throw new Error(`not a pg_snapshot: ${text}`);
  const inProgress = match[3] === '' ? [] : match[3].split(',').map(BigInt);
  return { xmin: BigInt(match[1]), xmax: BigInt(match[2]), inProgress: new Set(inProgress) };
}

/**
 * Did reads in this snapshot see what transaction `xid` wrote? Only if it had ended when the
 * snapshot was taken, as pg_visible_in_snapshot decides: below xmin, or below xmax and not among
 * those still in progress. (For a transaction that rolled back this says true, and there was
 * nothing to see.)
 */
export function sawTransaction(snapshot: Snapshot, xid: string): boolean {
  const id = BigInt(xid);
  return id < snapshot.xmin || (id < snapshot.xmax && !snapshot.inProgress.has(id));
}
