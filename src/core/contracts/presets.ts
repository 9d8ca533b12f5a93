import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { sqlIdent, sqlString } from '../duckdb.js';
import { InputFileError, LoyaltyLakeError } from '../errors.js';
import { DeclaredFormats } from '../ingest/value-formats.js';
import { packageRoot } from '../paths.js';
import { datasetContracts, findDataset } from './datasets.js';

/**
 * A vendor's export mapped to a dataset: files under inbox/<preset>/ are read as they come,
 * and each contract column is a SQL expression over the vendor's columns ("Quoted Name").
 * A vendor column may go by other names in older or newer layouts (`aliases`), and one that a
 * layout lacks may be given a value (`defaults`). Adding a preset is one such declaration, in
 * sql/presets/ or under `presets:` in the lake's loyaltylake.yml; no code.
 */
export const PresetDeclaration = z
  .object({
    preset: z.string().regex(/^[a-z][a-z0-9_]*$/, 'lowercase letters, digits and _, starting with a letter'),
    dataset: z.string(),
    description: z.string().min(1),
    /** Rows sharing this expression are one entity; each column takes its first non-empty value (the entity's first row's). */
    group_by: z.string().optional(),
    columns: z.record(z.string(), z.string().min(1)),
    /** Named SQL the other expressions use as `{name}`, so that a long one is written once. */
    definitions: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), z.string().min(1)).default({}),
    /** For a vendor column as the expressions name it, the other names it is written as (older or newer layouts). */
    aliases: z.record(z.string(), z.array(z.string().min(1)).min(1)).default({}),
    /** For a vendor column some layouts lack, the value (text, or null) it has in those. */
    defaults: z.record(z.string(), z.string().nullable()).default({}),
    /** `minor`: the export writes money in cents (4999 = 49.99); amounts are divided by 100, exactly. */
    amount_unit: z.enum(['major', 'minor']).default('major'),
    /** How the export writes numbers and dates, when the file cannot tell (see value-formats.ts). */
    formats: DeclaredFormats.optional(),
    /** Rows the mapping refuses, each with its reason: `when` is SQL over the vendor's columns. */
    rejects: z.array(z.object({ when: z.string().min(1), reason: z.string().min(1) }).strict()).default([]),
  })
  .strict();
export type Preset = z.infer<typeof PresetDeclaration>;

/** How a vendor column is matched: case-insensitively, with or without a " (UTC)" suffix. */
const normalise = (name: string) => name.trim().toLowerCase().replace(/\s*\(utc\)$/, '');

const QUOTED_NAME = /"((?:[^"]|"")+)"/g;
/** A use of a definition: `{name}`. */
const DEFINITION = /\{([a-z][a-z0-9_]*)\}/g;

/** Whether definition `name`, expanded, uses definition `target`. */
function refersTo(preset: Preset, name: string, target: string, seen = new Set<string>()): boolean {
  if (seen.has(name)) return false;
  seen.add(name);
  return [...(preset.definitions[name] ?? '').matchAll(DEFINITION)].some((m) => m[1] === target || refersTo(preset, m[1]!, target, seen));
}

/** `expression` with each `{name}` replaced by its definition (in parentheses), recursively. */
function expand(preset: Preset, expression: string): string {
  return expression.replace(DEFINITION, (use, name: string) => {
    const definition = preset.definitions[name];
    return definition === undefined ? use : `(${expand(preset, definition)})`;
  });
}

/** Contract columns that hold money: the ones `amount_unit: minor` divides by 100. */
const MONEY_COLUMNS = new Set(['amount', 'refunded_amount', 'mrr']);

/** What is wrong with a declaration against the contracts (empty when nothing is). */
export function presetProblems(preset: Preset): string[] {
  const contract = findDataset(preset.dataset);
  if (!contract) return [`maps to unknown dataset '${preset.dataset}' (one of ${datasetContracts.map((d) => d.name).join(', ')})`];
  const problems: string[] = [];
  const unknown = Object.keys(preset.columns).filter((c) => !contract.columns.some((column) => column.name === c));
  if (unknown.length) problems.push(`maps columns ${unknown.join(', ')}, which ${contract.name} does not have`);
  const missing = contract.columns.filter((c) => c.required && preset.columns[c.name] === undefined).map((c) => c.name);
  if (missing.length) problems.push(`does not map required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  const written = [...Object.values(preset.definitions), ...unexpanded(preset)];
  const uses = new Set(written.flatMap((expression) => [...expression.matchAll(DEFINITION)].map((m) => m[1]!)));
  const undeclared = [...uses].filter((name) => preset.definitions[name] === undefined);
  if (undeclared.length) return [...problems, `uses ${undeclared.map((n) => `{${n}}`).join(', ')}, which definitions does not declare`];
  if (Object.keys(preset.definitions).some((name) => refersTo(preset, name, name))) return [...problems, 'has definitions that refer to themselves'];
  const read = new Set(vendorNames(preset).map(normalise));
  const stray = [...Object.keys(preset.aliases), ...Object.keys(preset.defaults)].filter((name) => !read.has(normalise(name)));
  if (stray.length) problems.push(`has aliases or defaults for ${stray.map((s) => `"${s}"`).join(', ')}, which no expression reads`);
  return problems;
}

function loadPresets(): Preset[] {
  const dir = join(packageRoot(), 'sql', 'presets');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yml'))
    .map((file) => {
      const parsed = PresetDeclaration.safeParse(parseYaml(readFileSync(join(dir, file), 'utf8')));
      if (!parsed.success) throw new LoyaltyLakeError(`invalid preset ${file}: ${z.prettifyError(parsed.error)}`);
      const problems = presetProblems(parsed.data);
      if (problems.length) throw new LoyaltyLakeError(`preset ${file} ${problems.join('; ')}`);
      return parsed.data;
    });
}

/** The presets that ship with loyaltylake (sql/presets/). */
export const presets: readonly Preset[] = loadPresets();

/** The preset of that name: a built-in one, or one the lake declares. */
export function findPreset(name: string, lakePresets: readonly Preset[] = []): Preset | undefined {
  return presets.find((p) => p.preset === name) ?? lakePresets.find((p) => p.preset === name);
}

/** The expressions as declared: the columns', group_by and the rejects' conditions. */
function unexpanded(preset: Preset): string[] {
  return [...Object.values(preset.columns), preset.group_by ?? '', ...preset.rejects.map((r) => r.when)];
}

function expressions(preset: Preset): string[] {
  return unexpanded(preset).map((e) => expand(preset, e));
}

/** The vendor columns the expressions read, as they name them. */
function vendorNames(preset: Preset): string[] {
  return [...new Set([...expressions(preset).join(' ').matchAll(QUOTED_NAME)].map((match) => match[1]!.replaceAll('""', '"')))];
}

/** Every name a vendor column is accepted under: its own, then its aliases. */
function acceptedNames(preset: Preset, name: string): string[] {
  const aliases = Object.entries(preset.aliases).find(([key]) => normalise(key) === normalise(name))?.[1] ?? [];
  return [name, ...aliases];
}

/** Whether a file's column (by its name as written) is one the preset reads. */
export function presetReads(preset: Preset): (column: string) => boolean {
  const names = new Set(vendorNames(preset).flatMap((name) => acceptedNames(preset, name)).map(normalise));
  return (column) => names.has(normalise(column));
}

/** `value` (text in minor units, e.g. 4999) as text in major units (49.99), exactly; anything but a whole number is left to be rejected, saying why. */
function minorToMajor(value: string): string {
  const text = `trim(${value})`;
  return `(case
      when ${text} is null or ${text} = '' then null
      when regexp_full_match(${text}, '[+-]?\\d+') then
          (case when cast(${text} as hugeint) < 0 then '-' else '' end)
          || cast(abs(cast(${text} as hugeint)) // 100 as varchar) || '.' || lpad(cast(abs(cast(${text} as hugeint)) % 100 as varchar), 2, '0')
      else 'not a whole number of minor units: ' || ${text}
    end)`;
}

/**
 * SQL selecting the preset's contract columns (as text), `__line` and `__preset_reason` (why the
 * mapping refuses the row, or NULL) from `raw_input`. Each "Quoted Name" in the declaration is
 * resolved against the file's actual columns (`name`, as the file writes it; `ident`, its column
 * in `raw_input`), under any of its accepted names; one the file lacks takes its default, if
 * declared, else the file is refused, naming every name that was looked for.
 */
export function presetSql(preset: Preset, fileColumns: readonly { name: string; ident: string }[]): string {
  const byName = new Map(fileColumns.map((c) => [normalise(c.name), c.ident]));
  const missing = new Map<string, string[]>();
  const defaults = new Map(Object.entries(preset.defaults).map(([name, value]) => [normalise(name), value]));
  const resolve = (expression: string) =>
    expand(preset, expression).replace(QUOTED_NAME, (_quoted, quoted: string) => {
      const name = quoted.replaceAll('""', '"');
      const accepted = acceptedNames(preset, name);
      const actual = accepted.map((n) => byName.get(normalise(n))).find((ident) => ident !== undefined);
      if (actual !== undefined) return sqlIdent(actual);
      const fallback = defaults.get(normalise(name));
      if (fallback !== undefined) return fallback === null ? 'cast(null as varchar)' : sqlString(fallback);
      missing.set(normalise(name), accepted);
      return sqlIdent(name);
    });
  const columns = Object.entries(preset.columns).map(([name, expression]) => {
    const sql = `cast(${resolve(expression)} as varchar)`;
    return [name, preset.amount_unit === 'minor' && MONEY_COLUMNS.has(name) ? minorToMajor(sql) : sql] as const;
  });
  const reasons = preset.rejects.map((r) => `case when coalesce(${resolve(r.when)}, false) then ${sqlString(r.reason)} end`);
  const reason = reasons.length ? `nullif(concat_ws('; ', ${reasons.join(', ')}), '')` : 'cast(null as varchar)';
  const groupBy = preset.group_by === undefined ? undefined : resolve(preset.group_by);
  if (missing.size > 0) {
    const described = [...missing.values()].map((names) => (names.length > 1 ? `${names[0]} (looked for: ${names.join(', ')})` : names[0]));
    throw new InputFileError(`not a ${preset.preset} export: missing column${missing.size > 1 ? 's' : ''} ${described.join(', ')}`, 1);
  }
  if (groupBy === undefined) {
    return `select ${[...columns.map(([name, sql]) => `${sql} as ${sqlIdent(name)}`), `${reason} as __preset_reason`].join(', ')}, __line from raw_input`;
  }
  // Each column: its first non-empty value in the group (the entity's first row carries its fields);
  // the reason: the first row's. The line reported is the first row's.
  return `
    select ${[...columns.map(([name, sql]) => `arg_min(${sql}, __line) as ${sqlIdent(name)}`), `arg_min_null(${reason}, __line) as __preset_reason`].join(', ')}, min(__line) as __line
    from raw_input
    group by ${groupBy}`;
}

/**
 * SQL adding the preset's own reasons (see `rejects`) to the rows of `checked_input` it refuses;
 * undefined when the preset refuses none.
 */
export function presetRejectsSql(preset: Preset): string | undefined {
  if (preset.rejects.length === 0) return undefined;
  return `
    update checked_input set __reason = concat_ws('; ', checked_input.__reason, mapped.__preset_reason),
        __reason_stems = concat_ws('; ', checked_input.__reason_stems, mapped.__preset_reason)
    from preset_input as mapped
    where mapped.__line = checked_input.__line and mapped.__preset_reason is not null`;
}
