// A step writes its output through its declared columns and types (issue 9, point 1).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBSession } from '../../src/core/duckdb.js';
import { horizonColumn, selectDeclaredColumns, writeDeclaredColumns } from '../../src/core/models/step-io.js';
import { declaredModel, ID, yaml } from '../helpers/declare-model.js';
import { tempDir } from '../helpers/temp-lake.js';

const STEP = '    step: { name: test_step, version: 1 }\n';
const column = (name: string, type: string) => `      - name: ${name}\n        type: ${type}\n        description: ${name}\n`;
const everyType = declaredModel(
  yaml(
    'a_model',
    ID +
      column('ratio', 'DOUBLE') +
      column('amount', 'DECIMAL(18,2)') +
      column('day', 'DATE') +
      column('happened_at', 'TIMESTAMP') +
      column('label', 'VARCHAR') +
      column('flag', 'BOOLEAN'),
    STEP,
  ),
);

describe('writeDeclaredColumns', () => {
  let db: DuckDBSession;
  beforeEach(async () => {
    db = await DuckDBSession.open({ workDir: tempDir(), threads: 1 });
  });
  afterEach(() => db.closeSync());

  it('creates the declared columns in declared order and types, whatever the order of a row’s keys', async () => {
    // Act
    await writeDeclaredColumns(db, everyType, 'out', [
      { flag: true, label: 'x', happened_at: '2024-02-29T13:45:10.123Z', day: '2024-02-29', amount: 12.345, ratio: 0.25, id: 7 },
      { id: 8, ratio: Number.NaN, amount: null, day: null, happened_at: null, label: null, flag: false },
    ]);

    // Assess: 12.345 rounds to 12.35 (DECIMAL(18,2)); NaN is NULL
    expect(await db.rows('select column_name, column_type from (describe out)')).toEqual(
      ['id BIGINT', 'ratio DOUBLE', 'amount DECIMAL(18,2)', 'day DATE', 'happened_at TIMESTAMP', 'label VARCHAR', 'flag BOOLEAN'].map((c) => {
        const [name, type] = c.split(' ');
        return { column_name: name, column_type: type };
      }),
    );
    expect(await db.rows('select id, ratio, cast(amount as varchar) as amount, cast(day as varchar) as day, cast(happened_at as varchar) as happened_at, label, flag from out order by id')).toEqual([
      { id: '7', ratio: 0.25, amount: '12.35', day: '2024-02-29', happened_at: '2024-02-29 13:45:10.123', label: 'x', flag: true },
      { id: '8', ratio: null, amount: null, day: null, happened_at: null, label: null, flag: false },
    ]);
  });

  it.each([
    ['a declared column without a value', { id: 1 }, /a_model_v1: step output differs from the declaration: no value for ratio, amount, day, happened_at, label, flag/],
    ['an undeclared column', { id: 1, ratio: 1, amount: 1, day: '2024-01-01', happened_at: '2024-01-01T00:00:00Z', label: 'x', flag: true, extra: 1 }, /undeclared extra/],
    ['a date that is not YYYY-MM-DD', { id: 1, ratio: 1, amount: 1, day: '1/2/2024', happened_at: '2024-01-01T00:00:00Z', label: 'x', flag: true }, /day: a DATE is written as YYYY-MM-DD/],
  ])('fails on %s', async (_case, row, error) => {
    await expect(writeDeclaredColumns(db, everyType, 'out', [row])).rejects.toThrow(error);
  });
});

describe('selectDeclaredColumns', () => {
  it('casts each declared column from its expression, in declared order', () => {
    const model = declaredModel(yaml('a_model', ID + column('day', 'DATE'), STEP));
    expect(selectDeclaredColumns(model, { day: 'x.d', id: 'x.i' })).toBe('cast(x.i as BIGINT) as "id",\n    cast(x.d as DATE) as "day"');
  });

  it('fails on a declared column without an expression', () => {
    const model = declaredModel(yaml('a_model', ID + column('day', 'DATE'), STEP));
    expect(() => selectDeclaredColumns(model, { id: '1' })).toThrow(/no value for day/);
  });
});

describe('horizonColumn', () => {
  const model = declaredModel(yaml('a_model', ID + column('clv_12m', 'DOUBLE'), STEP));

  it('names the column after the horizon', () => {
    expect(horizonColumn(model, 'clv', 12)).toBe('clv_12m');
  });

  it('fails when the declaration names another horizon than the setting', () => {
    expect(() => horizonColumn(model, 'clv', 6)).toThrow(/a_model_v1: its horizon is 6 months, so it must declare clv_6m \(declared: clv_12m\)/);
  });
});
