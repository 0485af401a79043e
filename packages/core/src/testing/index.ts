export { InstrumentedFileSystem, type FsCall, type FaultRule } from './instrumented-file-system.js';
