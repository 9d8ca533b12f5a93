import { createHash } from 'node:crypto';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { datasetContracts } from '../contracts/datasets.js';
import { PresetDeclaration, presetProblems, presets as builtInPresets } from '../contracts/presets.js';
import { ConfigError } from '../errors.js';
import { DEFAULT_MAX_REJECT_SHARE } from '../ingest/reject-share.js';
import { DeclaredFormats } from '../ingest/value-formats.js';
import { readText } from '../lake/lake-helpers.js';
import { LakeKeys } from '../lake/lake-layout.js';
import type { Lake } from '../lake/lake.js';

const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month YYYY-MM');
const IsoDate = z.iso.date('a date YYYY-MM-DD');

/** A KPI target (metrics.md, "KPI targets"). */
const Target = z
  .object({
    /** `model.column` (the model's latest version) or `model_vN.column`. */
    metric: z.string().regex(/^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/, 'model.column or model_vN.column'),
    comparator: z.enum(['at_least', 'at_most']),
    value: z.number(),
    from: Month.optional(),
    dimension: z.string().min(1).optional(),
    segment_value: z.string().min(1).optional(),
  })
  .strict()
  .refine((target) => (target.dimension === undefined) === (target.segment_value === undefined), {
    message: 'dimension and segment_value go together',
  });

/** Limits that keep hostile or mistaken input from blocking the lake (issue 10). */
const IngestLimits = z
  .object({
    /** Order, event, response and ticket dates before this are rejected. */
    earliest_date: IsoDate.default('1990-01-01'),
    /** Such dates more than this many days after the run date are rejected. */
    latest_date_days_ahead: z.number().int().min(0).default(1),
    /** Bytes a .gz input may inflate to; a file past it is quarantined. Unset: 4 GiB. */
    max_inflated_bytes: z.number().int().positive().optional(),
    /** How CSV files write amounts and dates; what is unset is detected per file (docs/input-rules.md). */
    formats: DeclaredFormats.optional(),
    /** A file with a larger share of its rows rejected is quarantined whole (docs/input-rules.md). */
    max_reject_share: z.number().min(0).max(1).default(DEFAULT_MAX_REJECT_SHARE),
  })
  .strict();

/**
 * Presets the lake declares (the schema of sql/presets/), each checked against the contracts; a
 * name taken by a built-in preset, a dataset or another of the lake's is refused.
 */
const LakePresets = z.array(PresetDeclaration).superRefine((declared, context) => {
  declared.forEach((preset, index) => {
    const problem = (message: string) => context.addIssue({ code: 'custom', path: [index], message: `preset '${preset.preset}' ${message}` });
    if (builtInPresets.some((p) => p.preset === preset.preset)) problem('has the name of a built-in preset: choose another');
    if (datasetContracts.some((d) => d.name === preset.preset)) problem('has the name of a dataset: choose another');
    if (declared.findIndex((p) => p.preset === preset.preset) < index) problem('is declared twice');
    for (const message of presetProblems(preset)) problem(message);
  });
});

/**
 * The lake's own settings: `loyaltylake.yml` at the lake root, optional, read the same way
 * from a folder and from a bucket. Every key is optional; what is not set takes the default.
 */
export const LakeSettingsSchema = z.object({
  /** The lake's one currency (ISO 4217); unset: the currency of the first loaded orders. */
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'an ISO 4217 code such as EUR')
    .transform((code) => code.toUpperCase())
    .optional(),
  /** Days without an order after which a customer counts as churned; a --churn-window-days option wins. */
  churn_window_days: z.number().int().min(1).optional(),
  ingest: IngestLimits.default(IngestLimits.parse({})),
  key_features: z.array(z.string().min(1)).default([]),
  login_event: z.string().min(1).default('login'),
  session_gap_minutes: z.number().positive().default(30),
  gross_margin: z.number().gt(0).max(1).optional(),
  targets: z.array(Target).default([]),
  /** Vendor export presets of this lake, beside the built-in ones (docs/presets.md). Unset, not empty, so that a lake without changes its fingerprint in no way. */
  presets: LakePresets.optional(),
  /**
   * How staging is kept (docs/staging.md): a dataset with more than `compact_above_files` staging
   * files is compacted into one by the next run. Unset, not defaulted, so that a lake without it keeps its fingerprint.
   */
  staging: z.object({ compact_above_files: z.number().int().min(1) }).partial().strict().optional(),
  /** Customer ids replaced by HMAC-SHA256(key, id) at ingest (docs/control.md); the key from `key_env`, or deployed from Secrets Manager. Unset: ids as written. */
  pseudonymise: z
    .union([
      z.literal(true).transform(() => ({ key_env: 'LOYALTYLAKE_PSEUDONYMISATION_KEY' })),
      z.object({ key_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name').default('LOYALTYLAKE_PSEUDONYMISATION_KEY') }).strict(),
    ])
    .optional(),
});
export type LakeSettings = z.infer<typeof LakeSettingsSchema>;

export interface LoadedLakeSettings {
  readonly settings: LakeSettings;
  /** Where they came from: the settings file's key, or undefined when the lake has none. */
  readonly source?: string;
  /** Keys the file holds that no setting reads (a typo, or a key of a later version). */
  readonly unknownKeys: readonly string[];
  /** sha256 of the settings in effect (defaults included; comments and layout of the file do not count). */
  readonly fingerprint: string;
}

function loaded(settings: LakeSettings, unknownKeys: readonly string[], source?: string): LoadedLakeSettings {
  const fingerprint = createHash('sha256').update(JSON.stringify(settings)).digest('hex');
  return { settings, source, unknownKeys, fingerprint };
}

/** The settings from the text of a settings file; throws ConfigError naming the file and every problem. */
export function parseLakeSettings(text: string, source: string = LakeKeys.settings): LoadedLakeSettings {
  let document: unknown;
  try {
    document = parseYaml(text) ?? {};
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` (line ${error.linePos[0].line})` : '';
    throw new ConfigError(`${source} is not valid YAML${where}: ${error instanceof Error ? error.message.split('\n')[0] : error}`);
  }
  if (typeof document !== 'object' || Array.isArray(document)) {
    throw new ConfigError(`${source} must be a mapping of settings (key: value), got ${Array.isArray(document) ? 'a list' : typeof document}`);
  }
  const parsed = LakeSettingsSchema.safeParse(document);
  if (!parsed.success) throw new ConfigError(`${source} has invalid settings:\n${z.prettifyError(parsed.error)}`);
  const known = new Set(Object.keys(LakeSettingsSchema.shape));
  const unknownKeys = Object.keys(document as object).filter((key) => !known.has(key));
  return loaded(parsed.data, unknownKeys, source);
}

/** The lake's settings, or the defaults when it has no settings file. */
export async function readLakeSettings(lake: Lake): Promise<LoadedLakeSettings> {
  const text = await readText(lake, LakeKeys.settings);
  if (text === undefined) return loaded(LakeSettingsSchema.parse({}), []);
  return parseLakeSettings(text, `${lake.uri}/${LakeKeys.settings}`);
}
