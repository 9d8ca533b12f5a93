import { sqlIdent, sqlString } from '../duckdb.js';
import { defineStep, type StepRegistry } from '../models/model-step.js';
import { writeDeclaredColumns, type ColumnValue } from '../models/step-io.js';
import { KPI_TARGETS_STEP, type ResolvedTarget } from './targets.js';

/**
 * The step that builds kpi_targets_monthly from the lake's targets (resolved by resolveTargets,
 * so each names a published numeric column of a monthly table). The targets come from the
 * settings file, not from the declaration: the pipeline passes them in this registry, orders
 * the model last (targetsLast) so that every table a target may name is built, and records the
 * targets in the run manifest. No targets: zero rows, published as an empty table.
 */
export function targetsSteps(targets: readonly ResolvedTarget[]): StepRegistry {
  return {
    [KPI_TARGETS_STEP]: defineStep({
      version: 1,
      inputs: ['int_months'],
      async run({ db, model, inputs, table }) {
        const rows: Record<string, ColumnValue>[] = [];
        for (const target of targets) {
          const where = [
            target.from === undefined ? '' : `t.month >= cast(${sqlString(`${target.from}-01`)} as date)`,
            target.dimension === undefined ? '' : `t.dimension = ${sqlString(target.dimension)}`,
            target.segment_value === undefined ? '' : `t.segment_value = ${sqlString(target.segment_value)}`,
          ].filter(Boolean);
          const found = await db.rows(`
            select strftime(t.month, '%Y-%m-%d') as month, cast(t.${sqlIdent(target.column)} as double) as value, m.is_partial_period
            from ${sqlIdent(target.table)} as t
            left join ${sqlIdent(inputs.int_months)} as m on m.month = t.month
            ${where.length ? `where ${where.join(' and ')}` : ''}
            order by t.month`);
          for (const row of found) {
            const value = row.value === null ? null : Number(row.value);
            rows.push({
              target: target.metric,
              dimension: target.dimension ?? null,
              segment_value: target.segment_value ?? null,
              month: String(row.month),
              value,
              comparator: target.comparator,
              threshold: target.value,
              is_met: value === null ? null : target.comparator === 'at_least' ? value >= target.value : value <= target.value,
              is_partial_period: row.is_partial_period === null ? null : Boolean(row.is_partial_period),
            });
          }
        }
        await writeDeclaredColumns(db, model, table, rows);
      },
    }),
  };
}
