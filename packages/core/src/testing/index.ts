export { InstrumentedFileSystem, type FsCall, type FaultRule } from './instrumented-file-system.js';
export { ManualClock } from './manual-clock.js';
export { TempDirs } from './temp-dirs.js';
