/**
 * @prevention/cli: the `prevention` command. The binary is `bin/prevention.js`; these exports
 * let another tool embed the same program.
 */
export { run } from './main.js';
export { createProgram } from './program.js';
export { checkFile, type CheckFinding, type FileReport } from './checks/file-check.js';
export { ExitCode, CliError } from './output/errors.js';
