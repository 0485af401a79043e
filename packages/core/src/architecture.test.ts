import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The layers of @prevention/core, lowest first. A module may import its own layer and those
 * below, never one above; every layer may import the contract. Listed by path prefix under
 * `src/`, most specific first. See the architecture section of the package README.
 */
const LAYERS: ReadonlyArray<{ name: string; paths: readonly string[] }> = [
  { name: 'contract', paths: ['contract.ts', 'errors.ts'] },
  {
    name: 'ports and pure helpers',
    paths: ['fs/', 'json/', 'clock.ts', 'logging/', 'events/', 'tsyringe.ts', 'store/file-layout.ts', 'commit/sha256.ts', 'lock/keyed-mutex.ts', 'bus/uuidv7.ts', 'bus/shared-context-schema.ts', 'config/'],
  },
  { name: 'store', paths: ['store/', 'commit/', 'lock/', 'backup/', 'bus/bus-archive.ts', 'bus/event-archive.ts', 'bus/archive-ledger.ts', 'bus/archive-integrity.ts', 'inspect/'] },
  { name: 'pipeline and middleware', paths: ['pipeline/', 'middleware/'] },
  { name: 'engine', paths: ['engine/'] },
  { name: 'bus and plugin host', paths: ['bus/', 'plugin/'] },
  { name: 'composition', paths: ['engine/create-engine.ts', 'tokens.ts', 'index.ts', 'testing/'] },
];

/** The layer of a module: the most specific (longest) matching prefix wins. */
function layerOf(module: string): number {
  let best = -1;
  let bestLength = -1;
  LAYERS.forEach((layer, index) => {
    for (const prefix of layer.paths) {
      if ((prefix.endsWith('/') ? module.startsWith(prefix) : module === prefix) && prefix.length > bestLength) {
        best = index;
        bestLength = prefix.length;
      }
    }
  });
  return best;
}

type Graph = ReadonlyMap<string, readonly string[]>;

/** Every import of every non-test module under `dir`: relative ones resolved to modules, and the bare ones (`node:path`, packages). */
function importGraph(dir: string, bare = new Map<string, string[]>()): Graph {
  const graph = new Map<string, string[]>();
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '__tests__') walk(full);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        const info = ts.preProcessFile(readFileSync(full, 'utf8'), true, true);
        bare.set(
          path.relative(dir, full).split(path.sep).join('/'),
          info.importedFiles.map((i) => i.fileName).filter((name) => !name.startsWith('.')),
        );
        const imports = info.importedFiles
          .map((i) => i.fileName)
          .filter((name) => name.startsWith('.'))
          .map((name) => path.relative(dir, path.resolve(path.dirname(full), name.replace(/\.js$/, '.ts'))).split(path.sep).join('/'));
        graph.set(path.relative(dir, full).split(path.sep).join('/'), imports);
      }
    }
  };
  walk(dir);
  return graph;
}

/** Import cycles (strongly connected components of more than one module, or a self-import). */
function cycles(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (module: string): void => {
    index.set(module, next);
    low.set(module, next);
    next += 1;
    stack.push(module);
    onStack.add(module);
    for (const target of graph.get(module) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(module, Math.min(low.get(module)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(module, Math.min(low.get(module)!, index.get(target)!));
      }
    }
    if (low.get(module) === index.get(module)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== module);
      if (component.length > 1 || graph.get(module)?.includes(module)) found.push(component.sort());
    }
  };
  for (const module of graph.keys()) if (!index.has(module)) visit(module);
  return found;
}

/** Every import from a lower layer to a higher one, and every module no layer claims. */
function layeringViolations(graph: Graph): string[] {
  const violations: string[] = [];
  for (const [module, imports] of graph) {
    const from = layerOf(module);
    if (from < 0) {
      violations.push(`${module} belongs to no layer`);
      continue;
    }
    for (const target of imports) {
      const to = layerOf(target);
      if (to > from) violations.push(`${module} (${LAYERS[from]!.name}) imports ${target} (${LAYERS[to]!.name}), a higher layer`);
    }
  }
  return violations;
}

/**
 * The engine, the pipeline and its middleware reach storage only through the DocumentStore
 * port: no paths, files, renames or lock directories. Everything that knows them is the file
 * store's (and the composition root that builds it).
 */
const STORAGE_AGNOSTIC = ['engine/', 'pipeline/', 'middleware/'];
const COMPOSITION = ['engine/create-engine.ts'];
const STORAGE_DETAILS = ['fs/', 'store/file-layout.ts', 'store/file-store.ts', 'commit/atomic-write.ts', 'commit/commit-journal.ts', 'lock/proper-file-locker.ts'];
const STORAGE_BUILTINS = ['node:path', 'node:fs', 'node:fs/promises', 'proper-lockfile'];

/** Every import of storage details by a module that must only know the port. */
function storageViolations(graph: Graph, bare: ReadonlyMap<string, readonly string[]>): string[] {
  const violations: string[] = [];
  const agnostic = (module: string) => STORAGE_AGNOSTIC.some((prefix) => module.startsWith(prefix)) && !COMPOSITION.includes(module);
  for (const [module, imports] of graph) {
    if (!agnostic(module)) continue;
    for (const target of imports) {
      if (STORAGE_DETAILS.some((detail) => (detail.endsWith('/') ? target.startsWith(detail) : target === detail))) violations.push(`${module} imports ${target}`);
    }
    for (const target of bare.get(module) ?? []) if (STORAGE_BUILTINS.includes(target)) violations.push(`${module} imports ${target}`);
  }
  return violations;
}

const SRC = path.dirname(fileURLToPath(import.meta.url));

describe('the layering of @prevention/core', () => {
  const bare = new Map<string, string[]>();
  const graph = importGraph(SRC, bare);

  it('keeps storage details behind the DocumentStore port: the engine, pipeline and middleware import none', () => {
    expect(storageViolations(graph, bare)).toEqual([]);
    const broken = new Map(graph);
    broken.set('middleware/verify.ts', [...graph.get('middleware/verify.ts')!, 'commit/atomic-write.ts']);
    const brokenBare = new Map(bare);
    brokenBare.set('engine/engine.ts', [...bare.get('engine/engine.ts')!, 'node:path']);
    expect(storageViolations(broken, brokenBare)).toEqual(['engine/engine.ts imports node:path', 'middleware/verify.ts imports commit/atomic-write.ts']);
  });

  it('has no import cycle, type-level imports included', () => {
    expect(graph.size).toBeGreaterThan(40);
    expect(cycles(graph)).toEqual([]);
  });

  it('never imports from a lower layer to a higher one', () => {
    expect(layeringViolations(graph)).toEqual([]);
  });

  it('keeps the contract a leaf: it imports nothing but the error registry', () => {
    expect(graph.get('contract.ts')).toEqual(['errors.ts']);
    expect(graph.get('errors.ts')).toEqual([]);
  });

  it('reports a cycle and an upward import when one is added', () => {
    const broken = new Map(graph);
    broken.set('lock/proper-file-locker.ts', [...graph.get('lock/proper-file-locker.ts')!, 'engine/engine.ts']);
    broken.set('store/file-layout.ts', ['commit/atomic-write.ts']);
    const violations = layeringViolations(broken);
    expect(violations).toHaveLength(2);
    expect(violations).toEqual(
      expect.arrayContaining([
        'store/file-layout.ts (ports and pure helpers) imports commit/atomic-write.ts (store), a higher layer',
        'lock/proper-file-locker.ts (store) imports engine/engine.ts (engine), a higher layer',
      ]),
    );
    expect(cycles(broken).flat()).toEqual(expect.arrayContaining(['store/file-layout.ts', 'commit/atomic-write.ts']));
  });
});
