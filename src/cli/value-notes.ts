/**
 * A few words beside a printed number that looks wrong but is what its documented formula
 * gives (docs/metrics.md): an analyst who sees "retention 200%" without them stops trusting
 * every other number. Each note names the month and the figure it explains.
 */

type Row = Record<string, unknown>;

/** The rows the console prints, as readReportTables gives them. */
export interface PrintedRows {
  readonly kpis?: readonly Row[];
  readonly scorecard?: Row;
  readonly mrr?: readonly Row[];
}

const pct = (rate: unknown) => `${Math.round(Number(rate) * 100)}%`;
const isNull = (value: unknown) => value === null || value === undefined;
/** A lifespan above this many years is far past what any shop has observed: say where it comes from. */
const LONG_LIFESPAN_YEARS = 10;

export function valueNotes({ kpis = [], scorecard, mrr = [] }: PrintedRows, asOf?: string): string[] {
  const notes: string[] = [];
  if (scorecard) notes.push(...scorecardNotes(scorecard));
  for (const row of mrr) {
    if (!row.is_partial_period && !isNull(row.net_revenue_retention) && Number(row.net_revenue_retention) > 1 && scorecard?.month !== row.month) {
      notes.push(nrrAbove100(row));
    }
  }
  const latest = kpis[0];
  if (latest) notes.push(...clvNotes(latest));
  // (MRR is a level, not a sum over the month: its partial month is the MRR on the as-of date, as its header says.)
  const partial = kpis.find((row) => row.is_partial_period);
  if (partial && asOf) {
    notes.push(`${partial.month}* is a partial month: it counts up to the as-of date ${asOf} only, so its orders, revenue and active customers are lower than a full month's`);
  }
  return notes;
}

function scorecardNotes(row: Row): string[] {
  const notes: string[] = [];
  const retention = row.retention_rate;
  const churn = row.churn_rate;
  if (!isNull(retention) && Number(retention) > 1) {
    notes.push(
      `retention ${pct(retention)} in ${row.month} is above 100% because customers who came back after a lapse (reactivated) count in the numerator: retention = (customers live at the end − new customers) / customers live at the start`,
    );
  } else if (!isNull(retention) && !isNull(churn) && Number(retention) + Number(churn) > 1.005) {
    notes.push(
      `retention ${pct(retention)} and churn ${pct(churn)} in ${row.month} add up to more than 100%: reactivated customers (back after a lapse) count in retention, and churn counts only those lost from the start of the month`,
    );
  }
  if (!isNull(row.net_revenue_retention) && Number(row.net_revenue_retention) > 1) notes.push(nrrAbove100(row));
  return notes;
}

const nrrAbove100 = (row: Row) =>
  `NRR ${pct(row.net_revenue_retention)} in ${row.month} is above 100% because expansion from subscribers already paying outweighed their churn and contraction — normal for a growing account base (new subscribers do not count in it)`;

/** CLV = AOV × frequency × lifespan, lifespan = 1 / (12 × monthly churn): no churn leaves it undefined, little churn makes it huge. */
function clvNotes(row: Row): string[] {
  const churn = row.avg_monthly_churn_12m;
  if (isNull(row.clv_formula) && !isNull(row.avg_order_value_12m)) {
    return isNull(churn) || Number(churn) === 0
      ? [`CLV – in ${row.month}: no customer churned in the trailing 12 months, so the formula's lifespan (1 / (12 × monthly churn)) has no finite value`]
      : [];
  }
  const lifespan = Number(row.expected_lifespan_years);
  if (!isNull(row.expected_lifespan_years) && lifespan > LONG_LIFESPAN_YEARS) {
    return [
      `CLV ${row.clv_formula} in ${row.month} assumes a lifespan of ${Math.round(lifespan)} years: the formula's 1 / (12 × monthly churn) with churn ${(Number(churn) * 100).toFixed(1)}%/month; treat it as an upper bound`,
    ];
  }
  return [];
}
