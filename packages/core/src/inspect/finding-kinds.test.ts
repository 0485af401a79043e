import { describe, expect, it } from 'vitest';
import { PreventionError } from '../errors.js';
import { parseDocument } from '../json/parse-document.js';
import type { FindingKind } from '../contract.js';
import { corruptionKind, severityOf } from './finding-kinds.js';

function refusal(bytes: Buffer): PreventionError {
  try {
    parseDocument(bytes, 'ctx.json', { maxDepth: 3 });
  } catch (err) {
    if (err instanceof PreventionError) return err;
    throw err;
  }
  throw new Error(`${bytes.toString('utf8')} was accepted`);
}

describe('corruptionKind', () => {
  it.each([
    ['an empty file', Buffer.alloc(0), 'invalid-json'],
    ['a syntax error', Buffer.from('{"events": ['), 'invalid-json'],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]), 'invalid-json'],
    ['a document over the depth limit', Buffer.from('[[[["deep"]]]]'), 'structure'],
    ['a prototype-polluting key', Buffer.from('{"__proto__": {}}'), 'structure'],
    ['a repeated key', Buffer.from('{"a": 1, "a": 2}'), 'structure'],
  ])('names the refusal of %s', (_what, bytes, kind) => {
    expect(corruptionKind(refusal(bytes))).toBe(kind);
  });
});

describe('severityOf', () => {
  it('makes unusable content an error and a usable difference a warning', () => {
    const unusable: FindingKind[] = ['deleted', 'unsafe-path', 'unreadable', 'invalid-json', 'structure', 'too-large', 'schema-mismatch', 'archive-damaged'];
    const usable: FindingKind[] = ['modified', 'mode-changed', 'records-unreadable'];
    expect(unusable.map(severityOf)).toEqual(unusable.map(() => 'error'));
    expect(usable.map(severityOf)).toEqual(usable.map(() => 'warn'));
  });
});
