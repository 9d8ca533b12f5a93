import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { sqlIdent } from '../duckdb.js';
import { InputFileError, LoyaltyLakeError } from '../errors.js';
import { packageRoot } from '../paths.js';
import { findDataset } from './datasets.js';

/**
 * A vendor's export mapped to a dataset: files under inbox/<preset>/ are read as they come,
 * and each contract column is a SQL expression over the vendor's columns ("Quoted Name").
 * Adding a preset is one such declaration in sql/presets/, no code.
 */
export const PresetDeclaration = z
  .object({
    preset: z.string().regex(/^[a-z][a-z0-9_]*$/),
    dataset: z.string(),
    description: z.string().min(1),
    /** Rows sharing this expression are one entity; each column is taken from its first row. */
    group_by: z.string().optional(),
    columns: z.record(z.string(), z.string().min(1)),
  })
  .strict();
export type Preset = z.infer<typeof PresetDeclaration>;

function loadPresets(): Preset[] {
  const dir = join(packageRoot(), 'sql', 'presets');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yml'))
    .map((file) => {
      const parsed = PresetDeclaration.safeParse(parseYaml(readFileSync(join(dir, file), 'utf8')));
      if (!parsed.success) throw new LoyaltyLakeError(`invalid preset ${file}: ${z.prettifyError(parsed.error)}`);
      const contract = findDataset(parsed.data.dataset);
      if (!contract) throw new LoyaltyLakeError(`preset ${file} maps to unknown dataset '${parsed.data.dataset}'`);
      const unknown = Object.keys(parsed.data.columns).filter((c) => !contract.columns.some((column) => column.name === c));
      if (unknown.length) throw new LoyaltyLakeError(`preset ${file} maps columns ${unknown.join(', ')}, which ${contract.name} does not have`);
      return parsed.data;
    });
}

export const presets: readonly Preset[] = loadPresets();

export function findPreset(name: string): Preset | undefined {
  return presets.find((p) => p.preset === name);
}

/** How a vendor column is matched: case-insensitively, with or without a " (UTC)" suffix. */
const normalise = (name: string) => name.trim().toLowerCase().replace(/\s*\(utc\)$/, '');

const QUOTED_NAME = /"((?:[^"]|"")+)"/g;

/** Whether a file's column (by its name as written) is one the preset reads. */
export function presetReads(preset: Preset): (column: string) => boolean {
  const expressions = [...Object.values(preset.columns), preset.group_by ?? ''].join(' ');
  const names = new Set([...expressions.matchAll(QUOTED_NAME)].map((match) => normalise(match[1]!.replaceAll('""', '"'))));
  return (column) => names.has(normalise(column));
}

/**
 * SQL selecting the preset's contract columns (as text) and `__line` from `raw_input`. Each
 * "Quoted Name" in the declaration is resolved against the file's actual columns (`name`, as the
 * file writes it; `ident`, its column in `raw_input`); a missing one refuses the file, naming it.
 */
export function presetSql(preset: Preset, fileColumns: readonly { name: string; ident: string }[]): string {
  const byName = new Map(fileColumns.map((c) => [normalise(c.name), c.ident]));
  const missing = new Set<string>();
  const resolve = (expression: string) =>
    expression.replace(QUOTED_NAME, (_quoted, name: string) => {
      const actual = byName.get(normalise(name.replaceAll('""', '"')));
      if (actual === undefined) missing.add(name);
      return sqlIdent(actual ?? name);
    });
  const columns = Object.entries(preset.columns).map(([name, expression]) => [name, resolve(expression)] as const);
  const groupBy = preset.group_by === undefined ? undefined : resolve(preset.group_by);
  if (missing.size > 0) {
    throw new InputFileError(`not a ${preset.preset} export: missing column${missing.size > 1 ? 's' : ''} ${[...missing].join(', ')}`, 1);
  }
  if (groupBy === undefined) {
    return `select ${columns.map(([name, sql]) => `cast(${sql} as varchar) as ${sqlIdent(name)}`).join(', ')}, __line from raw_input`;
  }
  // The first row of each group carries the entity's fields; the line reported is that row's.
  return `
    select ${columns.map(([name, sql]) => `arg_min(cast(${sql} as varchar), __line) as ${sqlIdent(name)}`).join(', ')}, min(__line) as __line
    from raw_input
    group by ${groupBy}`;
}
