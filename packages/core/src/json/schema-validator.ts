import { createRequire } from 'node:module';
import type { Ajv, AnySchema, Options, ValidateFunction } from 'ajv';
import type { SchemaCheck } from '../contract.js';


type AjvClass = new (options: Options) => Ajv;
type AddFormats = (ajv: Ajv) => Ajv;

// ajv and ajv-formats are CommonJS and about 150 modules: they are required on the first
// schema compiled, not when the package loads, so a process that validates nothing (or only
// its config) never loads them. `require` keeps `compile` synchronous.
const require = createRequire(import.meta.url);

/** True when `schema` uses the `format` keyword anywhere, the only reason to load ajv-formats. */
function usesFormat(schema: unknown): boolean {
  if (typeof schema !== 'object' || schema === null) return false;
  if (typeof (schema as { format?: unknown }).format === 'string') return true;
  return Object.values(schema).some(usesFormat);
}

/** Options of {@link SchemaValidator.compile}. */
export interface CompileOptions {
  /**
   * The schema is prevention's own (or derived from it) and known to be valid: it is not
   * validated against its meta-schema, whose compilation is most of the cost of a first compile.
   */
  trusted?: boolean;
}

type Draft = 'draft-07' | '2020-12';

/**
 * Compiles JSON Schemas with ajv (draft-07 by default, 2020-12 when the schema's `$schema`
 * says so), with ajv-formats. Each schema object is compiled once and reused. The ajv instance
 * for a draft is created when a schema of that draft is first compiled, and the formats are
 * added when a schema first uses one.
 */
export class SchemaValidator {
  private readonly instances = new Map<`${Draft}/${boolean}`, { ajv: Ajv; formats: boolean }>();
  private readonly compiled = new WeakMap<object, SchemaCheck>();

  private ajvFor(draft: Draft, withFormats: boolean, trusted: boolean): Ajv {
    let instance = this.instances.get(`${draft}/${trusted}`);
    if (!instance) {
      const Class = (draft === '2020-12' ? (require('ajv/dist/2020.js') as { Ajv2020: AjvClass }).Ajv2020 : (require('ajv') as { Ajv: AjvClass }).Ajv);
      instance = { ajv: new Class({ allErrors: true, strict: false, validateSchema: !trusted }), formats: false };
      this.instances.set(`${draft}/${trusted}`, instance);
    }
    if (withFormats && !instance.formats) {
      (require('ajv-formats') as { default: AddFormats }).default(instance.ajv);
      instance.formats = true;
    }
    return instance.ajv;
  }

  /** Compiles `schema` (or returns the cached compilation). Throws ajv's error for a bad schema. */
  compile(schema: AnySchema, options: CompileOptions = {}): SchemaCheck {
    if (typeof schema === 'boolean') return schema ? () => [] : () => [{ path: '', message: 'schema is false' }];
    const cached = this.compiled.get(schema);
    if (cached) return cached;
    const is2020 = typeof schema.$schema === 'string' && schema.$schema.includes('2020-12');
    const validate: ValidateFunction = this.ajvFor(is2020 ? '2020-12' : 'draft-07', usesFormat(schema), options.trusted ?? false).compile(schema);
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
