import { describe, expect, it, vi } from 'vitest';
import { ErrorCodes, isPreventionError, PreventionError } from './errors.js';

describe('PreventionError', () => {
  it('carries a stable code, the file, the cause and details', () => {
    const cause = new Error('disk');
    const error = new PreventionError(ErrorCodes.IO_FAILED, 'failed', { file: '/a.json', cause, details: { step: 'rename' } });
    expect(error).toMatchObject({ name: 'PreventionError', code: 'PREVENTION_IO_FAILED', file: '/a.json', cause, details: { step: 'rename' } });
    expect(isPreventionError(error, ErrorCodes.IO_FAILED)).toBe(true);
    expect(isPreventionError(new Error('plain'))).toBe(false);
  });

  it('is recognised when it comes from another copy of the package', async () => {
    // A second, separately evaluated copy of the module, as a plugin loaded by another module loader gets.
    vi.resetModules();
    const copy = await import('./errors.js');
    expect(copy.PreventionError).not.toBe(PreventionError);
    const foreign = new copy.PreventionError(copy.ErrorCodes.CONFIG_INVALID, 'from the other copy');
    expect(foreign instanceof PreventionError).toBe(true);
    expect(isPreventionError(foreign, ErrorCodes.CONFIG_INVALID)).toBe(true);
    expect(new Error('x') instanceof PreventionError).toBe(false);
  });
});
