// What every SQL model's declaration and text must say: the house style of dbt's SQL guide (import CTEs for what it reads, `select * from <final>` last) and SQL that Trino accepts too.
import { describe, expect, it } from 'vitest';
import { loadModels } from '../../src/core/models/model-declaration.js';
import { defaultModelsDir } from '../../src/core/paths.js';

const sqlModels = loadModels(defaultModelsDir()).filter((m) => m.step === undefined);
const withoutComments = (sql: string) => sql.replace(/--[^\n]*/g, '');
/** The tables a model's SQL reads: every name after FROM or JOIN that is not one of its own CTEs (nor a function). */
function tablesRead(sql: string): string[] {
  const text = withoutComments(sql);
  const ctes = new Set([...text.matchAll(/\b([a-z][a-z0-9_]*) as (?:(?:not )?materialized )?\(\n/g)].map((m) => m[1]!));
  const named = [...text.matchAll(/\b(?:from|join)\s+([a-z][a-z0-9_]*)\b(?!\s*\()/g)].map((m) => m[1]!);
  return [...new Set(named)].filter((name) => !ctes.has(name));
}

describe.each(sqlModels.map((m) => [m.table, m] as const))('%s', (_table, model) => {
  it('reads only the staging views and model tables its declaration names', () => {
    const read = tablesRead(model.sql);
    const declared = [
      ...[...model.requires, ...model.optionalRequires].map((dataset) => `stg_${dataset}`),
      ...model.dependsOn,
      ...model.optionalDependsOn,
      'run_params',
    ];
    expect(read.filter((table) => !declared.includes(table))).toEqual([]);
  });

  it('imports each table it reads in a CTE of its own (no join on one), and ends with select * from the final CTE', () => {
    const sql = withoutComments(model.sql);
    const joined = [...sql.matchAll(/\bjoin\s+([a-z][a-z0-9_]*)/g)].map((m) => m[1]!);
    expect(joined.filter((table) => tablesRead(model.sql).includes(table))).toEqual([]);
    expect(sql.trim()).toMatch(/\n\)\n\nselect \* from [a-z][a-z0-9_]*$/);
  });

  it('writes intervals as Trino and DuckDB both read them, and lists columns instead of * exclude', () => {
    const sql = withoutComments(model.sql);
    expect(sql.match(/\binterval\s+(?!'\d+' (day|month|year)\b)\S+/g) ?? []).toEqual([]);
    expect(sql).not.toMatch(/\*\s*exclude/);
    for (const test of model.tests) expect(test.expect).not.toMatch(/\binterval\s+\d/);
  });
});
