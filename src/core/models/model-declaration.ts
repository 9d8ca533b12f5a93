import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ModelError } from '../errors.js';
import { OutputType } from './output-types.js';

const Identifier = z.string().regex(/^[a-z][a-z0-9_]*$/, 'lowercase snake_case');

/**
 * A model setting's value. In SQL a string becomes a quoted literal, a list of strings a
 * VARCHAR[] list literal (['a', 'b']; an empty list `cast([] as varchar[])`), null NULL.
 */
const SettingValue = z.union([z.number(), z.string(), z.boolean(), z.array(z.string()), z.null()]);
export type SettingValue = z.infer<typeof SettingValue>;

const ColumnTest = z.union([
  z.literal('not_null'),
  z.literal('unique'),
  z.object({ accepted_range: z.object({ min: z.number().optional(), max: z.number().optional() }) }).strict(),
  z.object({ accepted_values: z.array(z.string()).min(1) }).strict(),
  z.object({ relationships: z.object({ to: Identifier, field: Identifier }) }).strict(),
]);
export type ColumnTest = z.infer<typeof ColumnTest>;

const OutputColumn = z
  .object({
    name: Identifier,
    type: OutputType,
    description: z.string().min(1),
    tests: z.array(ColumnTest).default([]),
  })
  .strict();
export type OutputColumn = z.infer<typeof OutputColumn>;

const ModelVersionDeclaration = z
  .object({
    version: z.number().int().positive(),
    description: z.string().optional(),
    grain: z.array(Identifier).min(1),
    /** Input datasets that must hold data for this version to be built. */
    requires: z.array(Identifier).default([]),
    /** Input datasets read when they hold data: their stg_<dataset> views always exist, empty without data. */
    optional_requires: z.array(Identifier).default([]),
    /** Tables of other model versions this SQL reads, pinned by version (e.g. retention_monthly_v1). */
    depends_on: z.array(Identifier).default([]),
    /** Model tables read if they were built; when skipped (no input data) they read as empty. */
    optional_depends_on: z.array(Identifier).default([]),
    /** false: built and tested for other models, not written to metrics/. */
    publish: z.boolean().default(true),
    /**
     * A registered step (model-step.ts) builds the table instead of v<N>.sql. `version` is the
     * step's version this declaration was written for: part of the fingerprint, and the run
     * stops at its start if the registered step has another.
     */
    step: z.object({ name: Identifier, version: z.number().int().positive() }).strict().optional(),
    /**
     * Named values the SQL reads as {{ name }} and a step receives: the defaults, which a lake
     * setting of the same name overrides at run time (loadModels' settingOverrides). The values
     * used are part of the fingerprint.
     */
    settings: z.record(Identifier, SettingValue).default({}),
    columns: z.array(OutputColumn).min(1),
    /** Row-level rules: a SQL boolean every row must satisfy (NULL fails). */
    tests: z.array(z.object({ name: Identifier, expect: z.string().min(1) }).strict()).default([]),
  })
  .strict();

export const ModelDeclaration = z
  .object({
    model: Identifier,
    description: z.string().min(1),
    versions: z.array(ModelVersionDeclaration).min(1),
  })
  .strict();
export type ModelDeclaration = z.infer<typeof ModelDeclaration>;

/** One buildable version of a model: its SQL, its declared contract and its fingerprint. */
export interface ModelVersion {
  readonly model: string;
  readonly version: number;
  /** The DuckDB table it is built into, and the name other models read it by: `<model>_v<N>`. */
  readonly table: string;
  readonly description: string;
  readonly grain: readonly string[];
  readonly requires: readonly string[];
  readonly optionalRequires: readonly string[];
  readonly dependsOn: readonly string[];
  readonly optionalDependsOn: readonly string[];
  readonly publish: boolean;
  readonly columns: readonly OutputColumn[];
  readonly tests: readonly { name: string; expect: string }[];
  /** The step that builds the table, by name and declared version; undefined for a SQL model. */
  readonly step?: StepReference;
  /** The settings in effect: the declared ones, each overridden by a lake setting of the same name. */
  readonly settings: Readonly<Record<string, SettingValue>>;
  /** The SQL with its {{ settings }} filled in (empty for a step model). */
  readonly sql: string;
  /**
   * sha256 of the version's declaration (a step's name and version included) with the settings
   * in effect, and its SQL: any change of either, or of a setting's value, changes it.
   */
  readonly fingerprint: string;
  /** Where the table's logic lives, for messages: its SQL file, or `step <name> v<version>`. */
  readonly source: string;
}

export interface StepReference {
  readonly name: string;
  readonly version: number;
}

export interface LoadModelsOptions {
  /**
   * Values (the lake's settings) that replace the declared setting of the same name in every
   * model version declaring it; a name no version declares is ignored. Each must be of the
   * declared value's kind (number, string, boolean or list of strings; any for a declared null).
   */
  readonly settingOverrides?: Readonly<Record<string, SettingValue>>;
}

/** Reads every `<dir>/<model>/<model>.yml` with its `v<N>.sql` files. */
export function loadModels(modelsDir: string, options: LoadModelsOptions = {}): ModelVersion[] {
  const versions: ModelVersion[] = [];
  for (const entry of readdirSync(modelsDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const declarationPath = join(modelsDir, entry.name, `${entry.name}.yml`);
    if (!existsSync(declarationPath)) throw new ModelError(entry.name, `missing declaration ${declarationPath}`);
    versions.push(...loadModel(declarationPath, entry.name, options.settingOverrides ?? {}));
  }
  return versions.sort((a, b) => a.table.localeCompare(b.table));
}

/**
 * The values of `settings` (e.g. a lake's settings file) that can be model settings: numbers,
 * strings, booleans and lists of strings; nested objects, lists of objects and unset keys are left out.
 */
export function settingOverridesFrom(settings: Readonly<Record<string, unknown>>): Record<string, SettingValue> {
  const overrides: Record<string, SettingValue> = {};
  for (const [name, value] of Object.entries(settings)) {
    if (value === undefined || value === null || (typeof value === 'object' && !Array.isArray(value))) continue;
    const parsed = SettingValue.safeParse(value);
    if (parsed.success) overrides[name] = parsed.data;
  }
  return overrides;
}

const settingKind = (value: SettingValue): string => (value === null ? 'null' : Array.isArray(value) ? 'list' : typeof value);

/** The declared settings with each overridden one replaced, in the declared order. */
function settingsInEffect(
  model: string,
  declared: Record<string, SettingValue>,
  overrides: Readonly<Record<string, SettingValue>>,
): Record<string, SettingValue> {
  const settings: Record<string, SettingValue> = {};
  for (const [name, value] of Object.entries(declared)) {
    const override = Object.hasOwn(overrides, name) ? overrides[name] : undefined;
    if (override === undefined) {
      settings[name] = value;
      continue;
    }
    if (value !== null && settingKind(override) !== settingKind(value)) {
      throw new ModelError(model, `setting ${name} must be a ${settingKind(value)} (as declared), the lake's settings give ${JSON.stringify(override)}`);
    }
    settings[name] = override;
  }
  return settings;
}

function loadModel(declarationPath: string, folderName: string, overrides: Readonly<Record<string, SettingValue>>): ModelVersion[] {
  const parsed = ModelDeclaration.safeParse(parseYaml(readFileSync(declarationPath, 'utf8')));
  if (!parsed.success) {
    throw new ModelError(folderName, `invalid declaration ${declarationPath}: ${z.prettifyError(parsed.error)}`);
  }
  const declaration = parsed.data;
  if (declaration.model !== folderName) {
    throw new ModelError(folderName, `declaration names model '${declaration.model}' but lives in folder '${folderName}'`);
  }
  return declaration.versions.map((version) => {
    const sqlPath = join(declarationPath, '..', `v${version.version}.sql`);
    // A step model's code is identified by the step version its declaration states, never by compiled code.
    let code = '';
    if (!version.step) {
      if (!existsSync(sqlPath)) throw new ModelError(declaration.model, `missing SQL for version ${version.version}: ${sqlPath}`);
      code = readFileSync(sqlPath, 'utf8');
    }
    const columnNames = version.columns.map((c) => c.name);
    for (const key of version.grain) {
      if (!columnNames.includes(key)) throw new ModelError(declaration.model, `grain column ${key} is not declared`);
    }
    for (const column of version.columns) {
      for (const test of column.tests) {
        if (typeof test === 'object' && 'relationships' in test && !version.depends_on.includes(test.relationships.to)) {
          throw new ModelError(declaration.model, `${column.name} relates to ${test.relationships.to}, which is not in depends_on`);
        }
      }
    }
    const settings = settingsInEffect(declaration.model, version.settings, overrides);
    // The settings in effect stand where the declared ones are: without overrides, nothing changes.
    const fingerprint = createHash('sha256')
      .update(JSON.stringify({ model: declaration.model, description: declaration.description, ...version, settings }))
      .update('\n')
      .update(code)
      .digest('hex');
    return {
      model: declaration.model,
      version: version.version,
      table: `${declaration.model}_v${version.version}`,
      description: [declaration.description, version.description].filter(Boolean).join(' '),
      grain: version.grain,
      requires: version.requires,
      optionalRequires: version.optional_requires,
      dependsOn: version.depends_on,
      optionalDependsOn: version.optional_depends_on,
      publish: version.publish,
      columns: version.columns,
      tests: version.tests.map((test) => ({ ...test, expect: fillSettings(declaration.model, test.expect, settings) })),
      step: version.step,
      settings,
      sql: fillSettings(declaration.model, code, settings),
      fingerprint,
      source: version.step ? `step ${version.step.name} v${version.step.version}` : sqlPath,
    };
  });
}

/** Replaces each {{ name }} in a model's SQL by its setting in effect, as a SQL literal. */
function fillSettings(model: string, sql: string, settings: Record<string, SettingValue>): string {
  return sql.replace(/\{\{\s*([a-z][a-z0-9_]*)\s*\}\}/g, (_match, name: string) => {
    const value = Object.hasOwn(settings, name) ? settings[name] : undefined;
    if (value === undefined) throw new ModelError(model, `its SQL uses {{ ${name} }}, which is not among its settings`);
    return sqlLiteral(value);
  });
}

const quoted = (text: string) => `'${text.replaceAll("'", "''")}'`;

function sqlLiteral(value: SettingValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return quoted(value);
  // A typed empty list: `[]` alone has no element type to compare strings with.
  if (Array.isArray(value)) return value.length === 0 ? 'cast([] as varchar[])' : `[${value.map(quoted).join(', ')}]`;
  return String(value);
}

/** Orders model versions so that each comes after everything it depends on. */
export function dependencyOrder(models: readonly ModelVersion[]): ModelVersion[] {
  const byTable = new Map(models.map((m) => [m.table, m]));
  const ordered: ModelVersion[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (model: ModelVersion, path: string[]) => {
    if (state.get(model.table) === 'done') return;
    if (state.get(model.table) === 'visiting') {
      throw new ModelError(model.model, `dependency cycle: ${[...path, model.table].join(' -> ')}`);
    }
    state.set(model.table, 'visiting');
    for (const dependency of [...model.dependsOn, ...model.optionalDependsOn]) {
      const target = byTable.get(dependency);
      if (!target) throw new ModelError(model.model, `depends on unknown model table '${dependency}'`);
      visit(target, [...path, model.table]);
    }
    state.set(model.table, 'done');
    ordered.push(model);
  };
  for (const model of models) visit(model, []);
  return ordered;
}
