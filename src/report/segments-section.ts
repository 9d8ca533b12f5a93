import { sqlString, type DuckDBSession } from '../core/duckdb.js';
import type { Row } from './sections.js';

// The segments section: segment_kpis_monthly and cohort_retention_by_segment per dimension
// (acquisition_channel, segment, country). Dimension `all` is left out: it is the rest of the report.

export const SegmentTables = {
  kpis: 'segment_kpis_monthly_v1',
  cohorts: 'cohort_retention_by_segment_v1',
} as const;

/** Segment values shown per dimension, the largest by customers first; the page says how many more there are. */
export const SEGMENT_VALUES_SHOWN = 12;

/** One segment's cohort heatmap, packed: a row per cohort, a cell per months since the first order. */
export interface SegmentCohorts {
  readonly cohorts: string[];
  readonly sizes: number[];
  /** retention_rate per cohort and period (null: no such cell). */
  readonly rates: (number | null)[][];
  /** Whether the cell's month is partial, per cohort and period. */
  readonly partial: boolean[][];
}

export interface SegmentValue {
  readonly value: string;
  /** Customers with a cohort in the segment (the sum of its cohort sizes). */
  readonly customers: number;
  /** segment_kpis_monthly rows, oldest first. */
  readonly months: Row[];
  readonly cohorts?: SegmentCohorts;
}

export interface SegmentDimension {
  readonly dimension: string;
  readonly values: SegmentValue[];
  /** Values of the dimension not shown (beyond SEGMENT_VALUES_SHOWN). */
  readonly more_values: number;
}

/**
 * Every dimension with a value other than '(none)' (a customers export without that column puts
 * everyone in '(none)': nothing to compare), its largest values, their monthly KPIs and cohorts.
 */
export async function segmentsSection(db: DuckDBSession, tables: ReadonlySet<string>): Promise<SegmentDimension[] | undefined> {
  if (!tables.has(SegmentTables.kpis)) return undefined;
  const kpis = SegmentTables.kpis;
  const ranked = await db.rows(`
    with sizes as (
        select dimension, segment_value, sum(new_customers)::integer as customers
        from ${kpis} where dimension <> 'all' group by all
    ),
    useful as (select dimension from sizes group by dimension having bool_or(segment_value <> '(none)'))
    select dimension, segment_value, customers,
        row_number() over (partition by dimension order by customers desc, segment_value) as rank,
        count(*) over (partition by dimension)::integer as values_in_dimension
    from sizes where dimension in (select dimension from useful)
    order by list_position(['acquisition_channel', 'segment', 'country'], dimension), dimension, rank`);
  if (ranked.length === 0) return undefined;
  const shown = ranked.filter((r) => Number(r.rank) <= SEGMENT_VALUES_SHOWN);
  const months = await db.rows(`
    select dimension, segment_value, strftime(month, '%Y-%m') as month, active_customers::integer as active_customers,
        new_customers::integer as new_customers, orders::integer as orders, revenue::double as revenue,
        retention_rate::double as retention_rate, churn_rate::double as churn_rate, customers_12m::integer as customers_12m,
        repeat_purchase_rate_12m::double as repeat_purchase_rate_12m, purchase_frequency_12m::double as purchase_frequency_12m,
        avg_order_value_12m::double as avg_order_value_12m, clv_formula::double as clv_formula,
        avg_predicted_clv_12m::double as avg_predicted_clv_12m, is_partial_period as partial
    from ${kpis}
    semi join (values ${valuesList(shown)}) as shown (dimension, segment_value) using (dimension, segment_value)
    order by dimension, segment_value, month`);
  const cohorts = tables.has(SegmentTables.cohorts) ? await segmentCohorts(db, shown) : new Map<string, SegmentCohorts>();
  const dimensions: SegmentDimension[] = [];
  for (const row of shown) {
    const dimension = String(row.dimension);
    let entry = dimensions.find((d) => d.dimension === dimension);
    if (!entry) {
      entry = { dimension, values: [], more_values: Number(row.values_in_dimension) - Math.min(SEGMENT_VALUES_SHOWN, Number(row.values_in_dimension)) };
      dimensions.push(entry);
    }
    const value = String(row.segment_value);
    const rows = months.filter((m) => m.dimension === dimension && m.segment_value === value).map(({ dimension: _d, segment_value: _v, ...rest }) => rest);
    entry.values.push({ value, customers: Number(row.customers), months: rows, cohorts: cohorts.get(key(dimension, value)) });
  }
  return dimensions;
}

const key = (dimension: string, value: string) => `${dimension}\u0000${value}`;

function valuesList(rows: readonly Row[]): string {
  return rows.map((r) => `(${sqlString(String(r.dimension))}, ${sqlString(String(r.segment_value))})`).join(', ');
}

async function segmentCohorts(db: DuckDBSession, shown: readonly Row[]): Promise<Map<string, SegmentCohorts>> {
  const cells = await db.rows(`
    select dimension, segment_value, strftime(cohort_month, '%Y-%m') as cohort, period_number::integer as period,
        cohort_size::integer as cohort_size, retention_rate::double as retention_rate, is_partial_period as partial
    from ${SegmentTables.cohorts}
    semi join (values ${valuesList(shown)}) as shown (dimension, segment_value) using (dimension, segment_value)
    order by dimension, segment_value, cohort_month, period_number`);
  const packed = new Map<string, SegmentCohorts>();
  for (const cell of cells) {
    const k = key(String(cell.dimension), String(cell.segment_value));
    let segment = packed.get(k);
    if (!segment) packed.set(k, (segment = { cohorts: [], sizes: [], rates: [], partial: [] }));
    const cohort = String(cell.cohort);
    if (segment.cohorts.at(-1) !== cohort) {
      segment.cohorts.push(cohort);
      segment.sizes.push(Number(cell.cohort_size));
      segment.rates.push([]);
      segment.partial.push([]);
    }
    const period = Number(cell.period);
    segment.rates.at(-1)![period] = cell.retention_rate as number | null;
    segment.partial.at(-1)![period] = Boolean(cell.partial);
  }
  // A cohort's missing periods are holes in its row: null, not undefined, once in JSON.
  for (const segment of packed.values()) {
    segment.rates.forEach((row, i) => {
      for (let p = 0; p < row.length; p++) {
        row[p] ??= null;
        segment.partial[i]![p] ??= false;
      }
    });
  }
  return packed;
}
