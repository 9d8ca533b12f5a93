import { sqlString } from '../duckdb.js';

// What a run records of its numbers (the manifest's `headline`), for the next run to compare
// its own with (jump-warnings.ts).

export type HeadlineName = 'orders' | 'revenue' | 'aov' | 'customers' | 'mrr';

/** One headline figure of a run and the rows it is made from. */
export interface HeadlineFigure {
  readonly figure: HeadlineName;
  /**
   * 'as_of': everything up to the as-of date (orders, revenue, AOV and customers over every
   * completed order; MRR on the as-of date). 'month': the latest complete month.
   */
  readonly scope: 'as_of' | 'month';
  /** The month of a 'month' figure, YYYY-MM. */
  readonly month?: string;
  readonly value: number;
  /** The dataset the figure comes from, and its rows dated in the figure's scope (any status). */
  readonly dataset: 'orders' | 'subscriptions';
  readonly rows: number;
}

/** What a run records of its numbers, for the next run to compare with. */
export interface RunHeadline {
  readonly as_of: string;
  /** The latest month that is not partial (YYYY-MM), or null when the data has none. */
  readonly latest_complete_month: string | null;
  readonly figures: HeadlineFigure[];
}

/** Where the figures are read: the run's session, or the engine the tables were built on (values may come as text). */
export interface HeadlineSource {
  rows(sql: string): Promise<Record<string, unknown>[]>;
}

/**
 * The run's headline figures, from the tables it built (a figure whose table was not built,
 * or that has no value, e.g. AOV without orders, is left out). Read before publishing.
 */
export async function headlineFigures(db: HeadlineSource, asOf: string, built: ReadonlySet<string>): Promise<RunHeadline> {
  const date = `cast(${sqlString(asOf)} as date)`;
  const monthValue = built.has('int_months_v1') ? (await db.rows(`select max(month) as month from int_months_v1 where not is_partial_period`))[0]?.month : null;
  const month = monthValue === null || monthValue === undefined ? null : String(monthValue).slice(0, 10);
  const monthDate = `cast(${sqlString(month ?? '')} as date)`;
  const figures: HeadlineFigure[] = [];
  const add = (scope: HeadlineFigure['scope'], dataset: HeadlineFigure['dataset'], rows: unknown, values: Partial<Record<HeadlineName, unknown>>) => {
    for (const [figure, value] of Object.entries(values) as [HeadlineName, unknown][]) {
      if (value === null || value === undefined) continue;
      figures.push({ figure, scope, ...(scope === 'month' ? { month: month!.slice(0, 7) } : {}), value: Number(value), dataset, rows: Number(rows) });
    }
  };
  if (built.has('int_orders_completed_v1')) {
    const orders = async (where: string, rowsWhere: string) => {
      const [row] = await db.rows(`
        select count(*) as orders,
               sum(net_value) as revenue,
               round(sum(net_value) / nullif(count(*), 0), 2) as aov,
               count(distinct customer_id) as customers,
               (select count(*) from stg_orders where ${rowsWhere}) as rows
        from int_orders_completed_v1
        where ${where}`);
      return row!;
    };
    const all = await orders('true', `cast(ordered_at as date) <= ${date}`);
    add('as_of', 'orders', all.rows, { orders: all.orders, revenue: all.revenue, aov: all.aov, customers: all.customers });
    if (month) {
      const inMonth = await orders(`order_month = ${monthDate}`, `date_trunc('month', ordered_at) = ${monthDate}`);
      add('month', 'orders', inMonth.rows, { orders: inMonth.orders, revenue: inMonth.revenue, aov: inMonth.aov, customers: inMonth.customers });
    }
  }
  if (built.has('mrr_monthly_v1')) {
    // MRR of a month is MRR on its last day counted: the as-of date for the as-of month.
    const mrr = async (monthSql: string, lastDay: string) => {
      const [row] = await db.rows(`
        select (select mrr from mrr_monthly_v1 where month = ${monthSql}) as mrr,
               (select count(*) from stg_subscriptions where cast(started_at as date) <= ${lastDay}) as rows`);
      return row!;
    };
    const onAsOf = await mrr(`date_trunc('month', ${date})`, date);
    add('as_of', 'subscriptions', onAsOf.rows, { mrr: onAsOf.mrr });
    if (month) {
      const endOfMonth = await mrr(monthDate, `last_day(${monthDate})`);
      add('month', 'subscriptions', endOfMonth.rows, { mrr: endOfMonth.mrr });
    }
  }
  return { as_of: asOf, latest_complete_month: month?.slice(0, 7) ?? null, figures };
}
