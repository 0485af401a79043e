import { execFileSync } from 'node:child_process';

/** True when `python3` runs here: the tests of Python agents are skipped, saying so, where it does not. */
export function hasPython(): boolean {
  try {
    execFileSync('python3', ['--version']);
    return true;
  } catch {
    return false;
  }
}
