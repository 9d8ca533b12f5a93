import { z } from 'zod';

/**
 * Input column types. Each is parsed from text by DuckDB SQL at ingest
 * (see ingest/validate-sql.ts); the staging Parquet holds the typed value.
 */
export const InputColumnType = z.enum([
  'string',
  /** ISO 8601 date or timestamp; an offset is converted to UTC, no offset means UTC. */
  'timestamp',
  /** DECIMAL(18,2). */
  'decimal',
  'integer',
  /** One of `values`, matched case-insensitively, stored lowercase. */
  'enum',
  /** ISO 4217 code, stored uppercase. */
  'currency',
  /** `YYYY-MM` or any ISO date in the month; stored as the month's first day. */
  'month',
  /** `true`/`false`, `1`/`0`, `yes`/`no` (case-insensitive), stored as BOOLEAN; anything else is rejected. */
  'boolean',
]);
export type InputColumnType = z.infer<typeof InputColumnType>;

const ColumnName = z.string().regex(/^[a-z][a-z0-9_]*$/, 'lowercase snake_case');

export const InputColumn = z
  .object({
    name: ColumnName,
    type: InputColumnType,
    required: z.boolean().default(false),
    description: z.string().min(1),
    /** Value used when the column is absent or empty (SQL literal of the staged type). */
    default: z.string().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    values: z.array(z.string().min(1)).optional(),
    /**
     * The plausible dates of a timestamp or month column (the lake settings `ingest.earliest_date`
     * and `ingest.latest_date_days_ahead`): `past` from the earliest date to the run date plus
     * the days ahead; `from_earliest` from the earliest date on, any time later (a planned end).
     */
    window: z.enum(['past', 'from_earliest']).optional(),
  })
  .refine((c) => (c.type === 'enum') === (c.values !== undefined), {
    message: 'enum columns need `values`, and only they may have them',
  })
  .refine((c) => c.window === undefined || c.type === 'timestamp' || c.type === 'month', {
    message: 'only timestamp and month columns have a date window',
  });
export type InputColumn = z.infer<typeof InputColumn>;

export const RowCheck = z.object({
  /** SQL boolean over the typed columns; a row where it is false is rejected (NULL passes). */
  sql: z.string().min(1),
  reason: z.string().min(1),
});

export const DatasetContract = z
  .object({
    name: ColumnName,
    description: z.string().min(1),
    primaryKey: z.array(ColumnName),
    columns: z.array(InputColumn).min(1),
    rowChecks: z.array(RowCheck).default([]),
  })
  .superRefine((contract, ctx) => {
    const names = contract.columns.map((c) => c.name);
    for (const key of contract.primaryKey) {
      const column = contract.columns.find((c) => c.name === key);
      if (!column?.required) ctx.addIssue({ code: 'custom', message: `primary key ${key} must be a required column` });
    }
    if (new Set(names).size !== names.length) ctx.addIssue({ code: 'custom', message: 'duplicate column names' });
  });
export type DatasetContract = z.infer<typeof DatasetContract>;
export type DatasetContractInput = z.input<typeof DatasetContract>;

export function defineDataset(declaration: DatasetContractInput): DatasetContract {
  return DatasetContract.parse(declaration);
}
