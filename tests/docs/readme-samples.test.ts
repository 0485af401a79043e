import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Every ```ts and ```js sample of every README (the repository's, each package's, each
 * example's) is compiled with `strict` against the built packages, as a user's `tsc --strict
 * --noEmit` would: a README whose sample does not compile is a bug like any other.
 *
 * Each sample is compiled as an ES module of its own, as if it were a file next to its README
 * (so `./src/...` imports of an example resolve, and `@prevention/*` resolve to the packages'
 * `dist` typings through the workspace). `js` samples are checked too (`checkJs`).
 *
 * A sample that is deliberately partial (an excerpt that uses names it does not define, a
 * signature) is fenced ```ts fragment (or ```js fragment): it is only parsed, so a syntax error
 * still fails, but it is not type-checked. Any other word after the language fails the test, so
 * that a typo cannot turn a sample off.
 */
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Sample {
  readme: string;
  /** 1-based line of the sample's first line of code. */
  line: number;
  language: 'ts' | 'js';
  fragment: boolean;
  code: string;
  /** The path the sample is compiled at: beside its README, never written to disk. */
  file: string;
}

function readmes(): string[] {
  const inside = (dir: string) =>
    readdirSync(path.join(repo, dir), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => path.join(repo, dir, entry.name, 'README.md'))
      .filter((file) => {
        try {
          readFileSync(file);
          return true;
        } catch {
          return false;
        }
      });
  return [path.join(repo, 'README.md'), ...inside('packages'), ...inside('examples')];
}

/** The fenced samples of a README; fails on a code fence whose tag after the language is unknown. */
function samplesOf(readme: string): Sample[] {
  const lines = readFileSync(readme, 'utf8').split('\n');
  const samples: Sample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|js)(?:\s+(\S+))?\s*$/.exec(lines[i]!);
    if (!open) continue;
    if (open[2] !== undefined && open[2] !== 'fragment') throw new Error(`${readme}:${i + 1}: unknown fence tag "${open[2]}" (only "fragment" is defined)`);
    const end = lines.findIndex((text, j) => j > i && /^```\s*$/.test(text));
    if (end === -1) throw new Error(`${readme}:${i + 1}: the code fence is never closed`);
    const language = open[1] as 'ts' | 'js';
    samples.push({
      readme,
      line: i + 2,
      language,
      fragment: open[2] === 'fragment',
      code: lines.slice(i + 1, end).join('\n'),
      file: `${readme}.sample-${i + 2}.${language === 'ts' ? 'ts' : 'mjs'}`,
    });
    i = end;
  }
  return samples;
}

const options: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2023.d.ts'],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  types: ['node'],
  allowJs: true,
  checkJs: true,
  skipLibCheck: true,
};

/** `file:line: message` for a diagnostic, with the position moved from the sample to its README. */
function describeDiagnostic(diagnostic: ts.Diagnostic, samples: ReadonlyMap<string, Sample>): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  if (!diagnostic.file || diagnostic.start === undefined) return message;
  const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  const sample = samples.get(diagnostic.file.fileName);
  return sample ? `${path.relative(repo, sample.readme)}:${sample.line + line}: ${message}` : `${diagnostic.file.fileName}:${line + 1}: ${message}`;
}

describe('README code samples', () => {
  const all = readmes().flatMap(samplesOf);
  // The file an ES module sample needs to be a module even when it imports nothing.
  const source = (sample: Sample) => `${sample.code}\nexport {};\n`;

  it('finds the samples (so that a change to the extraction cannot silently pass everything)', () => {
    expect(all.filter((s) => !s.fragment).length).toBeGreaterThanOrEqual(10);
    expect(new Set(all.map((s) => path.relative(repo, s.readme)))).toContain('README.md');
  });

  it('compiles every full sample with --strict against the built packages', () => {
    const full = new Map(all.filter((s) => !s.fragment).map((s) => [s.file, s]));
    const host = ts.createCompilerHost(options);
    const { fileExists, readFile, getSourceFile } = host;
    host.fileExists = (file) => full.has(file) || fileExists.call(host, file);
    host.readFile = (file) => (full.has(file) ? source(full.get(file)!) : readFile.call(host, file));
    host.getSourceFile = (file, language, ...rest) => {
      const sample = full.get(file);
      return sample ? ts.createSourceFile(file, source(sample), language) : getSourceFile.call(host, file, language, ...rest);
    };
    const program = ts.createProgram([...full.keys()], options, host);
    const problems = ts.getPreEmitDiagnostics(program).map((d) => describeDiagnostic(d, full));
    expect(problems).toEqual([]);
  });

  it('parses every fragment without a syntax error', () => {
    const problems = all
      .filter((s) => s.fragment)
      .flatMap((sample) => {
        const parsed = ts.transpileModule(source(sample), { fileName: sample.file, reportDiagnostics: true, compilerOptions: { ...options, noEmit: false } });
        return (parsed.diagnostics ?? []).map((d) => describeDiagnostic(d, new Map([[sample.file, sample]])));
      });
    expect(problems).toEqual([]);
  });
});
