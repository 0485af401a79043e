import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ValidationIssue } from '../errors.js';
import type { JsonValue } from './json-value.js';

// ajv-formats is CommonJS; depending on the loader the plugin is the module itself or its `.default`.
type AddFormats = <A extends Ajv | Ajv2020>(ajv: A) => A;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as unknown as AddFormats;

/** A compiled JSON Schema: returns every problem found, empty when the document is valid. */
export type SchemaCheck = (document: JsonValue) => ValidationIssue[];

/**
 * Compiles JSON Schemas with ajv (draft-07 by default, 2020-12 when the schema's `$schema`
 * says so), with ajv-formats. Each schema object is compiled once and reused.
 */
export class SchemaValidator {
  private readonly draft7 = addFormats(new Ajv({ allErrors: true, strict: false }));
  private readonly draft2020 = addFormats(new Ajv2020({ allErrors: true, strict: false }));
  private readonly compiled = new WeakMap<object, SchemaCheck>();

  /** Compiles `schema` (or returns the cached compilation). Throws ajv's error for a bad schema. */
  compile(schema: AnySchema): SchemaCheck {
    if (typeof schema === 'boolean') return schema ? () => [] : () => [{ path: '', message: 'schema is false' }];
    const cached = this.compiled.get(schema);
    if (cached) return cached;
    const is2020 = typeof schema.$schema === 'string' && schema.$schema.includes('2020-12');
    const validate: ValidateFunction = (is2020 ? this.draft2020 : this.draft7).compile(schema);
    const check: SchemaCheck = (document) => {
      if (validate(document)) return [];
      return (validate.errors ?? []).map((e) => ({
        path: e.instancePath,
        message:
          e.keyword === 'additionalProperties'
            ? `${e.message ?? 'is invalid'}: "${String((e.params as { additionalProperty?: string }).additionalProperty)}"`
            : (e.message ?? 'is invalid'),
      }));
    };
    this.compiled.set(schema, check);
    return check;
  }
}
