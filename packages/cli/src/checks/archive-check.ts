import path from 'node:path';
import type { ArchiveInspection, ArchiveRepair, EngineApi, MessageBusApi } from '@prevention/core';

async function onBus<T extends ArchiveInspection>(engine: EngineApi, file: string, work: (bus: MessageBusApi) => Promise<T>): Promise<T | undefined> {
  const bus = engine.bus(file);
  try {
    const result = await work(bus);
    return result.state === 'absent' ? undefined : result;
  } finally {
    await bus.close();
  }
}

/**
 * Checks the bus archive beside `file` (`<name>.archive.jsonl`), if there is one: its
 * committed lines must be unchanged and complete, as the ledger and the live file say.
 * `undefined` when the file has no archive.
 */
export function inspectArchiveOf(engine: EngineApi, file: string): Promise<ArchiveInspection | undefined> {
  return onBus(engine, file, (bus) => bus.inspectArchive());
}

/** Repairs the bus archive beside `file` from its copy if it is damaged; `undefined` when the file has no archive. */
export function repairArchiveOf(engine: EngineApi, file: string): Promise<ArchiveRepair | undefined> {
  return onBus(engine, file, (bus) => bus.repairArchive());
}

/** What to tell about a damaged archive: where, what, and how it gets repaired. */
export function describeArchiveDamage(inspection: ArchiveInspection): string {
  const name = path.basename(inspection.archive);
  const fix = inspection.repairable
    ? 'its copy holds every committed line: `prevention restore` or the monitor puts it back'
    : 'its copy is damaged too, so it cannot be put back automatically';
  return `event archive ${name} is damaged: ${inspection.problem}; ${fix}`;
}
