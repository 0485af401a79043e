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

  it('scrubs each identifying part of a secret URL on its own, leaving common words and short parts', () => {
    const url = new Secret('https://bot:pa55word@hooks.example.test/services/T0QK7ZP2W/xoxb-77aa%2F91?token=q7Vt0kenZ81&v=2');
    expect(url.scrub('Cannot POST /services/T0QK7ZP2W/xoxb-77aa%2F91?token=q7Vt0kenZ81&v=2 after 2 tries')).toBe('Cannot POST /services/[redacted]/[redacted]?token=[redacted]&v=2 after 2 tries');
    expect(url.scrub('login pa55word refused; xoxb-77aa/91 unknown')).toBe('login [redacted] refused; [redacted] unknown');
    expect(url.scrub('T0QK7ZP2WX is another id')).toBe('T0QK7ZP2WX is another id');
    expect(new Secret('Sm7p pass').scrub('535 Sm7p pass rejected')).toBe('535 [redacted] rejected');
  });
});
