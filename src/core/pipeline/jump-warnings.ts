import type { HeadlineFigure, HeadlineName, RunHeadline } from './headline-figures.js';
import type { RunWarning } from './run-manifest.js';

/** A change of a figure by this factor or more (or its inverse) is a jump. */
export const JUMP_FACTOR = 10;

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
export function jumpWarnings(previous: { readonly run_id: string; readonly headline?: RunHeadline }, current: RunHeadline): RunWarning[] {
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
