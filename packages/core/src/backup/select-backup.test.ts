import { describe, expect, it } from 'vitest';
import type { BackupRecord, BackupStrategy } from '../contract.js';
import { listBackups } from './select-backup.js';

const T0 = Date.UTC(2026, 5, 1);

/** A strategy holding fixed records, listed in the order given (its own newest first). */
function holding(name: string, records: Array<{ id: string; generation?: number; minute: number }>): BackupStrategy {
  const list: BackupRecord[] = records.map(({ id, generation, minute }) => ({
    id,
    file: '/f.json',
    strategy: name,
    createdAt: new Date(T0 + minute * 60_000),
    sha256: id,
    bytes: 1,
    ...(generation === undefined ? {} : { generation }),
  }));
  return { name, save: () => Promise.reject(new Error('read-only')), list: () => Promise.resolve(list), read: () => Promise.reject(new Error('unused')), remove: () => Promise.resolve() };
}

const ids = async (strategies: BackupStrategy[]) => (await listBackups(strategies, '/f.json')).map((e) => e.record.id);

describe('listBackups', () => {
  it('orders every strategy’s backups by commit generation, whatever their clocks said', async () => {
    // Generation 4 was saved after the clock stepped back an hour.
    const a = holding('a', [{ id: 'a4', generation: 4, minute: -57 }, { id: 'a3', generation: 3, minute: 3 }, { id: 'a1', generation: 1, minute: 1 }]);
    const b = holding('b', [{ id: 'b4', generation: 4, minute: -57 }, { id: 'b2', generation: 2, minute: 2 }]);
    expect(await ids([a, b])).toEqual(['a4', 'b4', 'a3', 'b2', 'a1']);
  });

  it('puts backups made before generations existed below the others, each strategy’s own order kept', async () => {
    const a = holding('a', [{ id: 'a7', generation: 7, minute: 0 }, { id: 'a-old1', minute: 50 }, { id: 'a-old2', minute: 60 }]);
    const b = holding('b', [{ id: 'b-old1', minute: 30 }, { id: 'b-old2', minute: 40 }]);
    // Never by their times: the newest of each strategy's own order comes first, rank by rank.
    expect(await ids([a, b])).toEqual(['a7', 'a-old1', 'b-old1', 'a-old2', 'b-old2']);
  });
});
