export { InstrumentedFileSystem, type FsCall, type FaultRule } from './instrumented-file-system.js';
export { ManualClock } from './manual-clock.js';
export { eventInjector, type EventInjector } from './event-injector.js';
export { TempDirs } from './temp-dirs.js';
