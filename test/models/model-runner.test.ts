import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBSession } from '../../src/core/duckdb.js';
import { dependencyOrder, loadModels, type ModelVersion } from '../../src/core/models/model-declaration.js';
import { buildModel } from '../../src/core/models/model-runner.js';
import { declare, declaredModel, ID, yaml } from '../helpers/declare-model.js';
import { tempDir } from '../helpers/temp-lake.js';

describe('model declarations', () => {
  it('orders models after their dependencies', () => {
    const dir = tempDir();
    declare(dir, 'a_model', yaml('a_model', ID, '    depends_on: [b_model_v1]\n'), { 1: 'select id from b_model_v1' });
    declare(dir, 'b_model', yaml('b_model', ID), { 1: 'select 1 as id' });
    expect(dependencyOrder(loadModels(dir)).map((m) => m.table)).toEqual(['b_model_v1', 'a_model_v1']);
  });

  it.each([
    ['an unknown dependency', yaml('a_model', ID, '    depends_on: [nope_v1]\n'), /depends on unknown model table 'nope_v1'/],
    ['an output type Athena cannot read', yaml('a_model', '      - name: id\n        type: HUGEINT\n        description: id\n'), /invalid declaration/],
    ['a grain column that is not declared', yaml('a_model', ID).replace('grain: [id]', 'grain: [other]'), /grain column other is not declared/],
    ['a relationship to a model it does not depend on', yaml('a_model', `${ID}        tests: [{ relationships: { to: b_model_v1, field: id } }]\n`), /not in depends_on/],
    ['a step named by the old `kind: typescript` form', yaml('a_model', ID, '    kind: typescript\n    step: fit_clv_model\n'), /invalid declaration/],
    ['a step without its version', yaml('a_model', ID, '    step: { name: fit_clv_model }\n'), /invalid declaration/],
  ])('fails on %s', (_case, text, error) => {
    const dir = tempDir();
    declare(dir, 'a_model', text, { 1: 'select 1 as id' });
    expect(() => dependencyOrder(loadModels(dir))).toThrow(error);
  });
});

describe('buildModel', () => {
  let db: DuckDBSession;
  beforeEach(async () => {
    db = await DuckDBSession.open({ workDir: tempDir(), threads: 1 });
  });
  afterEach(() => db.closeSync());

  const model = (sql: string, columns: string, tests = ''): ModelVersion => declaredModel(yaml('a_model', columns) + tests, { 1: sql });

  it('casts every column to its declared type', async () => {
    // sum() of integers is HUGEINT in DuckDB; the contract casts it to BIGINT
    const built = await buildModel(db, model('select 1 as id, sum(x) as total from (values (1), (2)) as t(x)', `${ID}      - name: total\n        type: BIGINT\n        description: t\n`));
    expect(built.rows).toBe(1);
    expect(await db.rows("select column_name, column_type from (describe a_model_v1)")).toEqual([
      { column_name: 'id', column_type: 'BIGINT' },
      { column_name: 'total', column_type: 'BIGINT' },
    ]);
  });

  it.each([
    ['a missing column', 'select 1 as id', `${ID}      - name: total\n        type: BIGINT\n        description: t\n`, /missing total/],
    ['an undeclared column', 'select 1 as id, 2 as total', ID, /undeclared total/],
    ['a fraction in an integer column', 'select 1.5 as id', ID, /id is DECIMAL\(2,1\), which does not fit its declared type BIGINT/],
    ['SQL that does not run', 'select id from nowhere', ID, /a_model_v1: SQL failed .*nowhere/],
  ])('fails on %s', async (_case, sql, columns, error) => {
    await expect(buildModel(db, model(sql, columns))).rejects.toThrow(error);
  });

  it('names the column, its value and the row when the output does not cast to its declared type', async () => {
    // Two maximal DECIMAL(18,2) values: their sum, 19999999999999999.98, has 17 digits before the point.
    const sql = 'select id, sum(x) as total from (values (7, 9999999999999999.99::decimal(18,2)), (7, 9999999999999999.99)) as t(id, x) group by id';
    const columns = `${ID}      - name: total\n        type: DECIMAL(18,2)\n        description: t\n`;
    await expect(buildModel(db, model(sql, columns))).rejects.toThrow(
      'a_model_v1: output does not cast to its declared types: column total holds 19999999999999999.98, which does not fit DECIMAL(18,2), in the row id = 7',
    );
  });

  it('finds a broken relationship even when the target column holds NULLs', async () => {
    // Prepare: a target table whose key column has a NULL, as cohort_month does
    await db.run('create table b_model_v1 as select * from (values (1), (null)) as t(id)');
    const dir = tempDir();
    declare(dir, 'a_model', yaml('a_model', `${ID}        tests: [{ relationships: { to: b_model_v1, field: id } }]\n`, '    depends_on: [b_model_v1]\n'), {
      1: 'select * from (values (1), (2)) as t(id)',
    });
    const [model] = loadModels(dir);

    // Act
    const built = await buildModel(db, model!);

    // Assess: id 2 has no match
    expect(built.tests.find((t) => t.name.startsWith('relationships'))).toMatchObject({ failures: 1, passed: false });
  });

  it('reports each failing data test with the number of rows breaking it', async () => {
    const columns = `${ID}      - name: rate\n        type: DOUBLE\n        description: r\n        tests: [not_null, accepted_range: { min: 0, max: 1 }]\n`;
    const built = await buildModel(
      db,
      model('select * from (values (1, 0.5), (1, 1.5), (2, null)) as t(id, rate)', columns, '    tests:\n      - name: id_small\n        expect: id < 2\n'),
    );
    expect(built.tests).toEqual([
      { name: 'grain_unique(id)', failures: 1, passed: false },
      { name: 'not_null(id)', failures: 0, passed: true },
      { name: 'not_null(rate)', failures: 1, passed: false },
      { name: 'accepted_range(rate, 0..1)', failures: 1, passed: false },
      { name: 'id_small', failures: 1, passed: false },
    ]);
  });
});
