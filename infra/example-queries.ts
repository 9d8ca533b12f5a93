import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { packageRoot } from '../src/core/paths.js';

/** An example Athena query of `sql/queries/`: standard SQL over the Glue tables, by their unqualified names. */
export interface ExampleQuery {
  /** `loyaltylake-<file name>`, as the workgroup lists it. */
  readonly name: string;
  /** The file's leading `--` comment lines. */
  readonly description: string;
  /** The file without its leading comment. */
  readonly sql: string;
}

export function exampleQueriesDir(): string {
  return join(packageRoot(), 'sql', 'queries');
}

export function loadExampleQueries(dir = exampleQueriesDir()): ExampleQuery[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => {
      const lines = readFileSync(join(dir, file), 'utf8').split('\n');
      const commentLines = lines.findIndex((line) => !line.startsWith('--'));
      const description = lines.slice(0, commentLines).map((line) => line.replace(/^--\s?/, '')).join(' ').trim();
      if (!description) throw new Error(`example query ${file} must start with a '--' line saying what it shows`);
      return { name: `loyaltylake-${basename(file, '.sql')}`, description, sql: lines.slice(commentLines).join('\n').trim() };
    });
}
