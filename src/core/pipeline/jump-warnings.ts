import { DuckDBSession, sqlString } from '../duckdb.js';
import type { RunManifest, RunWarning } from './run-manifest.js';

/** A change of a figure by this factor or more (or its inverse) is a jump. */
export const JUMP_FACTOR = 10;

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

/**
 * The run's headline figures, from the tables it built (a figure whose table was not built,
 * or that has no value, e.g. AOV without orders, is left out). Read before publishing.
 */
export async function headlineFigures(db: DuckDBSession, asOf: string, built: ReadonlySet<string>): Promise<RunHeadline> {
  const date = `cast(${sqlString(asOf)} as date)`;
  const monthValue = built.has('int_months_v1') ? await db.scalar(`select max(month) from int_months_v1 where not is_partial_period`) : null;
  const month = monthValue === null || monthValue === undefined ? null : String(monthValue).slice(0, 10);
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
      const inMonth = await orders(`order_month = date '${month}'`, `date_trunc('month', ordered_at) = date '${month}'`);
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
      const endOfMonth = await mrr(`date '${month}'`, `last_day(date '${month}')`);
      add('month', 'subscriptions', endOfMonth.rows, { mrr: endOfMonth.mrr });
    }
  }
  return { as_of: asOf, latest_complete_month: month?.slice(0, 7) ?? null, figures };
}

/** One figure's change between two runs, in one scope. */
interface Change {
  readonly scope: HeadlineFigure['scope'];
  readonly previous_month?: string;
  readonly month?: string;
  readonly previous: number;
  readonly current: number;
  readonly factor: number;
  readonly dataset: string;
  readonly previous_rows: number;
  readonly rows: number;
  readonly rows_factor: number;
}

/**
 * A 'jump' warning per figure that changed by ×10 or more (or ÷10) since the previous run
 * while the rows it comes from did not change in proportion: the change left after dividing
 * by the rows' change is still ×10 (or ÷10). Loading amounts in cents makes revenue and AOV
 * 100× with the same rows: a jump; ten times the orders makes orders and revenue 10× with 10×
 * the rows: none. Figures that are 0 or missing in either run are not compared.
 */
export function jumpWarnings(previous: Pick<RunManifest, 'run_id' | 'headline'>, current: RunHeadline): RunWarning[] {
  const changes = new Map<HeadlineName, Change[]>();
  for (const now of current.figures) {
    const before = previous.headline?.figures.find((f) => f.figure === now.figure && f.scope === now.scope);
    if (!before || !(before.value > 0 && now.value > 0 && before.rows > 0 && now.rows > 0)) continue;
    const factor = now.value / before.value;
    const rowsFactor = now.rows / before.rows;
    if (!isJump(factor) || !isJump(factor / rowsFactor)) continue;
    const change: Change = {
      scope: now.scope,
      ...(now.scope === 'month' ? { previous_month: before.month, month: now.month } : {}),
      previous: before.value,
      current: now.value,
      factor,
      dataset: now.dataset,
      previous_rows: before.rows,
      rows: now.rows,
      rows_factor: rowsFactor,
    };
    changes.set(now.figure, [...(changes.get(now.figure) ?? []), change]);
  }
  return [...changes].map(([figure, figureChanges]) => jumpWarning(previous.run_id, figure, figureChanges));
}

function isJump(factor: number): boolean {
  return factor >= JUMP_FACTOR || factor <= 1 / JUMP_FACTOR;
}

const FIGURE_NAMES: Record<HeadlineName, string> = { orders: 'orders', revenue: 'revenue', aov: 'AOV', customers: 'customers', mrr: 'MRR' };

function jumpWarning(previousRun: string, figure: HeadlineName, changes: readonly Change[]): RunWarning {
  const [first] = changes;
  const scopes = changes.map((c) => {
    const scope = c.scope === 'as_of' ? 'up to the as-of date' : c.previous_month === c.month ? `month ${c.month}` : `latest complete month ${c.previous_month} → ${c.month}`;
    return `${scope}: ${c.previous} → ${c.current}`;
  });
  const rows = changes.map((c) => `${c.previous_rows} → ${c.rows}`).join(', ');
  return {
    kind: 'jump',
    message:
      `${FIGURE_NAMES[figure]} changed ${factorText(first!.factor)} since run ${previousRun} (${scopes.join('; ')}) ` +
      `while its ${first!.dataset} rows went ${rows}: check the export (amounts in cents instead of units? another currency or layout?)`,
    details: { figure, previous_run: previousRun, changes },
  };
}

/** ×100 or ÷100, to two significant digits. */
function factorText(factor: number): string {
  return factor >= 1 ? `×${Number(factor.toPrecision(2))}` : `÷${Number((1 / factor).toPrecision(2))}`;
}
