import { constants } from 'node:fs';
import path from 'node:path';
import type { FsCall } from '@prevention/core/testing';

/**
 * The on-disk states a power loss can leave, rebuilt from a trace of FileSystem-port calls, in
 * the spirit of ALICE (Pillai et al., OSDI '14) with a conservative file-system model:
 *
 * - a file's bytes are durable only up to its last fsync; bytes written since may be missing,
 *   whole or in part (a torn write);
 * - a directory entry change (create, link, rename, unlink) is durable only once its directory was
 *   fsynced; until then each one may independently be undone;
 * - nothing else is assumed: an fsync of a file does not persist its name, and a rename does
 *   not order the renamed file's data before it (ext4 data=writeback, XFS, btrfs and most
 *   network file systems give no such guarantee);
 * - a clone (FICLONE) holds its source's bytes as the process sees them, but none of them is
 *   durable before the clone's own fsync: its block map is metadata like any other.
 */

/** A call as recorded, with what it returned (descriptors for `open`, byte counts for `write`). */
export interface TracedCall extends FsCall {
  result: unknown;
}

interface Inode {
  /** Bytes as the process saw them. */
  current: Buffer;
  /** Bytes an fsync made durable. */
  synced: Buffer;
}

/** One directory entry change not yet made durable by an fsync of its directory. */
interface EntryChange {
  dir: string;
  name: string;
  /** The inode the name points to afterwards, or undefined when the change removes it. */
  inode: Inode | undefined;
}

/** One state a crash at some point can leave for the file being checked. */
export interface CrashState {
  /** How many calls of the trace had completed when the power went. */
  after: number;
  /** The file's bytes in that state, or undefined if the file does not exist. */
  bytes: Buffer | undefined;
  /** How the state came about, for failure messages. */
  how: string;
}

/** What may differ from what the process saw: unsynced entries and bytes. */
class Disk {
  /** Entries as the process sees them. */
  readonly names = new Map<string, Inode>();
  /** Entries that survive a crash. */
  readonly durableNames = new Map<string, Inode>();
  readonly pending: EntryChange[] = [];
  readonly descriptors = new Map<number, Inode>();

  apply(call: TracedCall): void {
    const [first, second] = call.args;
    switch (call.op) {
      case 'open': {
        const file = first as string;
        let inode = this.names.get(file);
        if (!inode && ((call.args[1] as number) & constants.O_CREAT) !== 0) {
          inode = { current: Buffer.alloc(0), synced: Buffer.alloc(0) };
          this.change(file, inode);
        }
        if (inode) this.descriptors.set(call.result as number, inode);
        break;
      }
      case 'write': {
        const inode = this.descriptors.get(first as number)!;
        const [, data, offset, , position] = call.args as [number, Uint8Array, number, number, number | null];
        const written = Buffer.from(data.subarray(offset, offset + (call.result as number)));
        const at = position ?? inode.current.length;
        const grown = Buffer.alloc(Math.max(inode.current.length, at + written.length));
        inode.current.copy(grown);
        written.copy(grown, at);
        inode.current = grown;
        break;
      }
      case 'cloneFile': {
        const source = this.names.get(first as string)!;
        this.change(second as string, { current: Buffer.from(source.current), synced: Buffer.alloc(0) });
        break;
      }
      case 'ftruncate': {
        const inode = this.descriptors.get(first as number)!;
        const cut = Buffer.alloc(second as number);
        inode.current.copy(cut, 0, 0, Math.min(cut.length, inode.current.length));
        inode.current = cut;
        break;
      }
      case 'fsync': {
        const inode = this.descriptors.get(first as number)!;
        inode.synced = Buffer.from(inode.current);
        break;
      }
      case 'close':
        this.descriptors.delete(first as number);
        break;
      case 'rename': {
        const inode = this.names.get(first as string);
        this.change(first as string, undefined);
        this.change(second as string, inode);
        break;
      }
      case 'link':
        this.change(second as string, this.names.get(first as string));
        break;
      case 'unlink':
        this.change(first as string, undefined);
        break;
      case 'syncDirectory': {
        const dir = first as string;
        for (const change of this.pending.filter((c) => c.dir === dir)) this.persist(change);
        this.pending.splice(0, this.pending.length, ...this.pending.filter((c) => c.dir !== dir));
        break;
      }
      default:
        // Reads, status calls, modes, times and lock directories change no file's bytes or name.
        break;
    }
  }

  private change(file: string, inode: Inode | undefined): void {
    if (inode) this.names.set(file, inode);
    else this.names.delete(file);
    this.pending.push({ dir: path.dirname(file), name: file, inode });
  }

  persist(change: EntryChange): void {
    if (change.inode) this.durableNames.set(change.name, change.inode);
    else this.durableNames.delete(change.name);
  }

  /** Every state `file` can be found in if the power goes now. */
  statesOf(file: string, after: number): CrashState[] {
    const changes = this.pending.filter((c) => c.name === file);
    const states: CrashState[] = [];
    // Each unsynced change to the name may be kept or undone independently; what the name
    // points to then is decided by the last change kept (or the durable entry if none is).
    for (let last = -1; last < changes.length; last++) {
      const inode = last === -1 ? this.durableNames.get(file) : changes[last]!.inode;
      const kept = changes.length === 0 ? 'no pending entry change' : `${last + 1} of ${changes.length} unsynced entry changes kept`;
      if (!inode) {
        states.push({ after, bytes: undefined, how: `${kept}; no file` });
        continue;
      }
      for (const [bytes, what] of contentsOf(inode)) states.push({ after, bytes, how: `${kept}; ${what}` });
    }
    return states;
  }
}

/** The bytes an inode can hold after a crash: its synced bytes, all of them, or a torn mix. */
function contentsOf(inode: Inode): Array<[Buffer, string]> {
  if (inode.current.equals(inode.synced)) return [[inode.synced, 'bytes synced']];
  const torn = Buffer.from(inode.current.subarray(0, Math.max(inode.synced.length, Math.floor(inode.current.length / 2))));
  return [
    [inode.synced, 'unsynced bytes lost'],
    [inode.current, 'unsynced bytes kept'],
    [torn, 'unsynced bytes torn'],
  ];
}

/**
 * Every state `file` can be left in by a power loss after each prefix of `trace` (crash
 * before the first call, after the first, ..., after the last). `skip` drops calls from the
 * trace, to show what the model finds when a step of the commit is removed.
 */
export function crashStates(trace: readonly TracedCall[], file: string, skip: (call: TracedCall) => boolean = () => false): CrashState[] {
  const disk = new Disk();
  const states = disk.statesOf(file, 0);
  trace.forEach((call, i) => {
    if (!skip(call)) disk.apply(call);
    for (const state of disk.statesOf(file, i + 1)) states.push(state);
  });
  return states;
}
