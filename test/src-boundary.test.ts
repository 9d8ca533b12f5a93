// The code under src/ is what the CLI and the Lambda handlers run: it must not reach into the
// handlers (functions/), the development harness (dev/) or any development dependency.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../src/core/paths.js';

const root = packageRoot();
const devDependencies = Object.keys(
  (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies,
);
const FORBIDDEN_FOLDERS = ['functions', 'dev'];

/** Every import, re-export and dynamic import() specifier of a TypeScript source, type-only ones included. */
function importSpecifiers(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((file) => file.fileName);
}

/** `@scope/name` or `name` of a bare specifier. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Why importing `specifier` from the file `from` crosses the boundary, or undefined when it does not. */
function violation(from: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) {
    const [top] = relative(root, resolve(dirname(from), specifier)).split(sep);
    return FORBIDDEN_FOLDERS.includes(top!) ? `imports ${specifier} from ${top}/` : undefined;
  }
  const name = packageName(specifier);
  return devDependencies.includes(name) ? `imports the devDependency ${name}` : undefined;
}

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('src/ boundary', () => {
  it('finds imports of functions/, dev/ and devDependencies, type-only and dynamic ones included', () => {
    // Prepare
    const file = join(root, 'src', 'core', 'example.ts');
    const source = [
      "import { handler } from '../../functions/ingest.js';",
      "import type { LocalCloud } from '../../dev/local-cloud.js';",
      "import S3rver from 's3rver';",
      "export { describe } from 'vitest/config';",
      "const tsc = await import('typescript');",
      "import { z } from 'zod';",
      "import { readFileSync } from 'node:fs';",
      "import { LakeKeys } from './lake/lake-layout.js';",
      "const text = \"import x from 'esbuild'\";",
    ].join('\n');

    // Act
    const found = importSpecifiers(source).map((specifier) => violation(file, specifier));

    // Assess
    expect(found).toEqual([
      'imports ../../functions/ingest.js from functions/',
      'imports ../../dev/local-cloud.js from dev/',
      'imports the devDependency s3rver',
      'imports the devDependency vitest',
      'imports the devDependency typescript',
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('nothing under src/ imports the Lambda handlers, the dev harness or a devDependency', () => {
    // Prepare
    const files = typeScriptFiles(join(root, 'src'));
    expect(files.length).toBeGreaterThan(20);

    // Act
    const violations = files.flatMap((file) =>
      importSpecifiers(readFileSync(file, 'utf8'))
        .map((specifier) => violation(file, specifier))
        .filter((reason) => reason !== undefined)
        .map((reason) => `${relative(root, file)} ${reason}`),
    );

    // Assess
    expect(violations).toEqual([]);
  });
});
