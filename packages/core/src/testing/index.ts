export { InstrumentedFileSystem, type FsCall, type FaultRule } from './instrumented-file-system.js';
export { ManualClock } from './manual-clock.js';
export { eventInjector, type EventInjector } from './event-injector.js';
export { TempDirs } from './temp-dirs.js';
export { MemoryStore } from './memory-store.js';
export { documentStoreContract, type StoreContractHarness, type StoreUnderTest, type RegisterTest } from './document-store-contract.js';
export { waitFor } from './wait-for.js';
