import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * Static imports and re-exports, `import type` included: a type-only cycle is erased at run
 * time but still ties two modules' designs together. Dynamic `import()` is not an edge.
 */
const STATIC_IMPORT = /^\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;

/** Module → what it imports: project files by path relative to `root`, packages by name. */
export type ImportGraph = Map<string, string[]>;

/** The import graph of every .ts file under the given folders of `root`. */
export function importGraph(root: string, folders: readonly string[]): ImportGraph {
  const graph: ImportGraph = new Map();
  const files = folders.flatMap((folder) =>
    readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
      .map((name) => join(root, folder, name)),
  );
  for (const file of files) {
    const imports = [...readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)].map(([, specifier]) => {
      if (!specifier!.startsWith('.')) return specifier!.startsWith('node:') ? specifier! : packageName(specifier!);
      const target = resolve(dirname(file), specifier!.replace(/\.js$/, '.ts'));
      return relative(root, existsSync(target) ? target : resolve(dirname(file), specifier!));
    });
    graph.set(relative(root, file), [...new Set(imports)]);
  }
  return graph;
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Every import cycle, each as the path of modules that closes it (a → b → a). */
export function importCycles(graph: ImportGraph): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (module: string, path: string[]) => {
    if (state.get(module) === 'done') return;
    if (state.get(module) === 'visiting') {
      cycles.push([...path.slice(path.indexOf(module)), module]);
      return;
    }
    state.set(module, 'visiting');
    for (const target of graph.get(module) ?? []) visit(target, [...path, module]);
    state.set(module, 'done');
  };
  for (const module of [...graph.keys()].sort()) visit(module, []);
  return cycles;
}

/** Everything a module loads, directly or through the modules it imports. */
export function importClosure(graph: ImportGraph, module: string): Set<string> {
  const seen = new Set<string>();
  const pending = [module];
  while (pending.length) {
    for (const target of graph.get(pending.pop()!) ?? []) {
      if (!seen.has(target)) {
        seen.add(target);
        pending.push(target);
      }
    }
  }
  return seen;
}
