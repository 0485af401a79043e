import { describe, expect, it } from 'vitest';
import { sharedContextSchema } from '../bus/shared-context-schema.js';
import { SchemaValidator } from './schema-validator.js';

describe('SchemaValidator', () => {
  it('validates the shipped shared context schema against its meta-schema (why it may be compiled as trusted)', () => {
    const check = new SchemaValidator().compile(structuredClone(sharedContextSchema) as Record<string, unknown>);
    expect(check({ version: 1, events: [] })).toEqual([]);
    expect(check({ events: [{ id: 'x' }] }).length).toBeGreaterThan(0);
  });

  it('refuses a schema that breaks its meta-schema unless it is trusted', () => {
    const broken = { type: 'object', title: 42 };
    expect(() => new SchemaValidator().compile(broken)).toThrow(/schema is invalid/);
    // Trusted: no meta-schema check, which is what makes a first compile cheap.
    expect(() => new SchemaValidator().compile({ ...broken }, { trusted: true })).not.toThrow();
  });

  it('checks formats, loaded for the first schema that uses one, also after a schema without', () => {
    const validator = new SchemaValidator();
    expect(validator.compile({ type: 'string' })('anything')).toEqual([]);
    const dated = validator.compile({ type: 'string', format: 'date-time' });
    expect(dated('2026-12-01T10:00:00Z')).toEqual([]);
    expect(dated('yesterday')).toEqual([{ path: '', message: 'must match format "date-time"' }]);
    const nested = validator.compile({ type: 'object', properties: { at: { type: 'string', format: 'email' } } });
    expect(nested({ at: 'not an address' })).toEqual([{ path: '/at', message: 'must match format "email"' }]);
  });

  it('compiles a 2020-12 schema with the 2020-12 draft', () => {
    const check = new SchemaValidator().compile({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', prefixItems: [{ type: 'number' }], items: false });
    expect(check([1])).toEqual([]);
    expect(check([1, 2]).length).toBeGreaterThan(0);
  });
});
