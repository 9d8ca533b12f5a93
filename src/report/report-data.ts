import type { DuckDBSession } from '../core/duckdb.js';
import type { Lake } from '../core/lake/lake.js';
import { loadModels } from '../core/models/model-declaration.js';
import { defaultModelsDir } from '../core/paths.js';
import { dataHealthSection, type DataHealth } from './data-health.js';
import { segmentsSection, type SegmentDimension } from './segments-section.js';
import {
  cohortsSection,
  predictiveSection,
  retentionSection,
  revenueSection,
  scorecardSection,
  subscriptionsSection,
  voiceSection,
  type Predictive,
  type Row,
  type Scorecard,
  type VoiceOfCustomer,
} from './sections.js';
import { targetsSection } from './targets-section.js';

/** A published table's declared description and column descriptions (the definitions behind every chart). */
export interface TableDefinition {
  readonly description: string;
  readonly columns: Record<string, string>;
}

/** Everything the page shows, embedded in it as JSON. */
export interface ReportData {
  readonly generated_at: string;
  readonly lake: string;
  readonly scorecard?: Scorecard;
  /** Each KPI target in its latest complete month (kpi_targets_monthly). */
  readonly targets?: Row[];
  readonly cohorts?: Row[];
  readonly retention?: Row[];
  readonly revenue?: Row[];
  readonly subscriptions?: Row[];
  readonly voice?: VoiceOfCustomer;
  readonly predictive?: Predictive;
  readonly segments?: SegmentDimension[];
  readonly health?: DataHealth;
  readonly definitions: Record<string, TableDefinition>;
}

/** The declarations of the published tables, by view name. */
export function tableDefinitions(tables: ReadonlySet<string>, modelsDir = defaultModelsDir()): Record<string, TableDefinition> {
  const definitions: Record<string, TableDefinition> = {};
  for (const model of loadModels(modelsDir)) {
    if (!tables.has(model.table)) continue;
    definitions[model.table] = {
      description: model.description,
      columns: Object.fromEntries(model.columns.map((column) => [column.name, column.description])),
    };
  }
  return definitions;
}

/** Runs every section's queries over the registered published tables (see registerPublishedTables). */
export async function reportData(db: DuckDBSession, tables: ReadonlySet<string>, lake: Lake, scratchDir: string, now = new Date()): Promise<ReportData> {
  return {
    generated_at: now.toISOString(),
    lake: lake.uri,
    scorecard: await scorecardSection(db, tables),
    targets: await targetsSection(db, tables),
    cohorts: await cohortsSection(db, tables),
    retention: await retentionSection(db, tables),
    revenue: await revenueSection(db, tables),
    subscriptions: await subscriptionsSection(db, tables),
    voice: await voiceSection(db, tables),
    predictive: await predictiveSection(db, tables),
    segments: await segmentsSection(db, tables),
    health: await dataHealthSection(db, lake, scratchDir),
    definitions: tableDefinitions(tables),
  };
}
