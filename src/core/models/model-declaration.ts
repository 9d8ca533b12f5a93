import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ModelError } from '../errors.js';
import { OutputType } from './output-types.js';

const Identifier = z.string().regex(/^[a-z][a-z0-9_]*$/, 'lowercase snake_case');

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
    /** Named values the SQL reads as {{ name }} and a step receives; part of the fingerprint. */
    settings: z.record(Identifier, z.union([z.number(), z.string(), z.boolean()])).default({}),
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
  readonly settings: Readonly<Record<string, number | string | boolean>>;
  /** The SQL with its {{ settings }} filled in (empty for a step model). */
  readonly sql: string;
  /** sha256 of the version's declaration (a step's name and version included) and its SQL: any change of either changes it. */
  readonly fingerprint: string;
  /** Where the table's logic lives, for messages: its SQL file, or `step <name> v<version>`. */
  readonly source: string;
}

export interface StepReference {
  readonly name: string;
  readonly version: number;
}

/** Reads every `<dir>/<model>/<model>.yml` with its `v<N>.sql` files. */
export function loadModels(modelsDir: string): ModelVersion[] {
  const versions: ModelVersion[] = [];
  for (const entry of readdirSync(modelsDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const declarationPath = join(modelsDir, entry.name, `${entry.name}.yml`);
    if (!existsSync(declarationPath)) throw new ModelError(entry.name, `missing declaration ${declarationPath}`);
    versions.push(...loadModel(declarationPath, entry.name));
  }
  return versions.sort((a, b) => a.table.localeCompare(b.table));
}

function loadModel(declarationPath: string, folderName: string): ModelVersion[] {
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
    const fingerprint = createHash('sha256')
      .update(JSON.stringify({ model: declaration.model, description: declaration.description, ...version }))
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
      tests: version.tests.map((test) => ({ ...test, expect: fillSettings(declaration.model, test.expect, version.settings) })),
      step: version.step,
      settings: version.settings,
      sql: fillSettings(declaration.model, code, version.settings),
      fingerprint,
      source: version.step ? `step ${version.step.name} v${version.step.version}` : sqlPath,
    };
  });
}

/** Replaces each {{ name }} in a model's SQL by its declared setting. */
function fillSettings(model: string, sql: string, settings: Record<string, number | string | boolean>): string {
  return sql.replace(/\{\{\s*([a-z][a-z0-9_]*)\s*\}\}/g, (_match, name: string) => {
    const value = settings[name];
    if (value === undefined) throw new ModelError(model, `its SQL uses {{ ${name} }}, which is not among its settings`);
    return typeof value === 'string' ? `'${value.replaceAll("'", "''")}'` : String(value);
  });
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
