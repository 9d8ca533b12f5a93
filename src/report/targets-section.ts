import type { DuckDBSession } from '../core/duckdb.js';
import type { Row } from './sections.js';

export const TARGETS_TABLE = 'kpi_targets_monthly_v1';

/**
 * Each KPI target in its latest complete month: value, threshold, comparator and whether it is
 * met (NULL: no value), with the column it names (`metric` after the model) so that a scorecard
 * tile of that column can show it. Undefined when the lake has no targets.
 */
export async function targetsSection(db: DuckDBSession, tables: ReadonlySet<string>): Promise<Row[] | undefined> {
  if (!tables.has(TARGETS_TABLE)) return undefined;
  const rows = await db.rows(`
    with latest as (
        select target, max(month) as month from ${TARGETS_TABLE} where not is_partial_period group by target
    )
    select targets.target, split_part(targets.target, '.', 2) as column_name, targets.dimension, targets.segment_value,
        strftime(targets.month, '%Y-%m') as month, targets.value::double as value, targets.comparator,
        targets.threshold::double as threshold, targets.is_met
    from ${TARGETS_TABLE} as targets
    inner join latest on targets.target = latest.target and targets.month = latest.month
    order by targets.target`);
  return rows.length > 0 ? rows : undefined;
}
