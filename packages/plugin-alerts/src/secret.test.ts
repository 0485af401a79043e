import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Secret } from './secret.js';

describe('Secret', () => {
  const secret = new Secret('https://hooks.example.test/T/B/abc def');

  it('prints as [redacted] however it is turned into text', () => {
    expect(String(secret)).toBe('[redacted]');
    expect(JSON.stringify({ url: secret })).toBe('{"url":"[redacted]"}');
    expect(inspect({ secret })).not.toContain('hooks.example.test');
    expect(secret.reveal()).toBe('https://hooks.example.test/T/B/abc def');
  });

  it('scrubs the value, plain or URL-encoded, from messages and errors', () => {
    expect(secret.scrub('posting to https://hooks.example.test/T/B/abc def failed')).toBe('posting to [redacted] failed');
    expect(secret.scrub(`bad ${encodeURI('https://hooks.example.test/T/B/abc def')}`)).toBe('bad [redacted]');
    const scrubbed = secret.scrubError(Object.assign(new Error('invalid URL https://hooks.example.test/T/B/abc def'), { code: 'ERR_INVALID_URL', cause: new Error('inner') }));
    expect(scrubbed.message).toBe('invalid URL [redacted]');
    expect(scrubbed.stack).not.toContain('hooks.example.test');
    expect((scrubbed as { code?: string }).code).toBe('ERR_INVALID_URL');
    expect(scrubbed.cause).toBeUndefined();
  });
});
