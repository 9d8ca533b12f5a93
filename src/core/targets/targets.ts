// KPI targets (metrics.md, "KPI targets"): the `targets` of the lake's settings file, checked
// against the model declarations before a run builds anything, and the alerts a run reports.
import type { DuckDBSession } from '../duckdb.js';
import { sqlIdent } from '../duckdb.js';
import { ConfigError } from '../errors.js';
import type { ModelVersion } from '../models/model-declaration.js';
import type { LakeSettings } from '../settings/lake-settings.js';

export type TargetSetting = LakeSettings['targets'][number];

/** The model that evaluates the targets, and the name of the step that builds it. */
export const KPI_TARGETS_MODEL = 'kpi_targets_monthly';
export const KPI_TARGETS_STEP = 'kpi_targets';

const NUMERIC = new Set(['BIGINT', 'DOUBLE', 'DECIMAL(18,2)']);
const SEGMENT_KEYS = ['dimension', 'segment_value'];

/** A target with the published table and column it reads. */
export interface ResolvedTarget extends TargetSetting {
  /** The model table, e.g. retention_monthly_v1. */
  readonly table: string;
  readonly column: string;
}

/** A target missed in the latest complete month, as the manifest, the console and the event carry it. */
export interface TargetAlert {
  readonly target: string;
  readonly dimension?: string;
  readonly segment_value?: string;
  readonly month: string;
  readonly value: number;
  readonly threshold: number;
  readonly comparator: 'at_least' | 'at_most';
}

/**
 * Checks every target against the declarations and resolves it to its table and column; throws
 * ConfigError naming the target as written and what exists. Run before anything is built.
 */
export function resolveTargets(targets: readonly TargetSetting[], models: readonly ModelVersion[]): ResolvedTarget[] {
  const seen = new Set<string>();
  return targets.map((target) => {
    const fail = (problem: string): never => {
      throw new ConfigError(`loyaltylake.yml: target '${target.metric}' ${problem}`);
    };
    if (seen.has(target.metric)) {
      fail('is listed twice: kpi_targets_monthly holds one row per target (its metric as written) and month, so each metric may have one target');
    }
    seen.add(target.metric);
    const [modelPart, column] = target.metric.split('.') as [string, string];
    const pinned = /^(.+)_v(\d+)$/.exec(modelPart);
    const name = pinned && models.some((m) => m.model === pinned[1]) ? pinned[1]! : modelPart;
    const versions = models.filter((m) => m.model === name);
    const published = [...new Set(models.filter((m) => m.publish && m.model !== KPI_TARGETS_MODEL).map((m) => m.model))].sort();
    if (versions.length === 0) fail(`names model '${name}', which does not exist (published models: ${published.join(', ')})`);
    const version = pinned && name === pinned[1] ? Number(pinned[2]) : Math.max(...versions.map((m) => m.version));
    const model = versions.find((m) => m.version === version);
    if (!model) fail(`names version ${version} of ${name}, which does not exist (versions: ${versions.map((m) => `${name}_v${m.version}`).join(', ')})`);
    const { table, columns, grain } = model!;
    if (!model!.publish || name === KPI_TARGETS_MODEL) fail(`names ${table}, which is not published (published models: ${published.join(', ')})`);
    const declared = columns.find((c) => c.name === column);
    const numeric = columns.filter((c) => NUMERIC.has(c.type)).map((c) => c.name);
    if (!declared) fail(`names column '${column}', which ${table} does not have (its numeric columns: ${numeric.join(', ') || 'none'})`);
    if (!NUMERIC.has(declared!.type)) fail(`names ${table}.${column}, which is ${declared!.type}, not a number (its numeric columns: ${numeric.join(', ') || 'none'})`);
    if (!columns.some((c) => c.name === 'month')) fail(`names ${table}, which has no month column: targets are evaluated by month (grain of ${table}: ${grain.join(', ')})`);
    const segmented = SEGMENT_KEYS.every((key) => grain.includes(key));
    const rest = grain.filter((key) => key !== 'month' && !(segmented && SEGMENT_KEYS.includes(key)));
    if (rest.length > 0) fail(`names ${table}, which has more than one row per month (grain: ${grain.join(', ')}): a target needs one value per month`);
    if (segmented && target.dimension === undefined) fail(`names ${table}, a segment table: give a dimension and a segment_value`);
    if (!segmented && target.dimension !== undefined) fail(`gives a dimension and segment_value, but ${table} has no dimension and segment_value columns (grain: ${grain.join(', ')})`);
    return { ...target, table, column };
  });
}

/** The models in build order with the targets model moved last: it reads any model table, named by settings, not by its declaration. */
export function targetsLast(models: readonly ModelVersion[]): ModelVersion[] {
  const isTargets = (m: ModelVersion) => m.step?.name === KPI_TARGETS_STEP;
  return [...models.filter((m) => !isTargets(m)), ...models.filter(isTargets)];
}

/**
 * The targets missed in the latest complete month (the latest month of the spine that is not
 * partial): none when the run has no targets model. Read after the models are built.
 */
export async function missedTargets(db: DuckDBSession, models: readonly ModelVersion[]): Promise<TargetAlert[]> {
  const model = models.filter((m) => m.model === KPI_TARGETS_MODEL).sort((a, b) => b.version - a.version)[0];
  if (!model) return [];
  const rows = await db.rows(`
    select target, dimension, segment_value, strftime(month, '%Y-%m') as month, value, threshold, comparator
    from ${sqlIdent(model.table)}
    where is_met = false
      and month = (select max(month) from ${sqlIdent('int_months_v1')} where not is_partial_period)
    order by target`);
  return rows.map((row) => ({
    target: String(row.target),
    ...(row.dimension === null ? {} : { dimension: String(row.dimension), segment_value: String(row.segment_value) }),
    month: String(row.month),
    value: Number(row.value),
    threshold: Number(row.threshold),
    comparator: row.comparator as TargetAlert['comparator'],
  }));
}

/** One line for a missed target: `retention_monthly_v1.churn_rate (segment = gold) in 2024-05: 0.07, target at most 0.05`. */
export function alertLine(alert: TargetAlert): string {
  const segment = alert.dimension === undefined ? '' : ` (${alert.dimension} = ${alert.segment_value})`;
  return `${alert.target}${segment} in ${alert.month}: ${readable(alert.value)}, target ${alert.comparator.replace('_', ' ')} ${alert.threshold}`;
}

/** A value as a person reads it: at most 6 significant digits (0.14309459051072831 → 0.143095); the manifest keeps it whole. */
const readable = (value: number) => String(Number(value.toPrecision(6)));
