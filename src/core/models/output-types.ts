import { z } from 'zod';

/** How one declared output type is checked, written and exposed: one row per type, used by the runner, publish and Glue. */
export interface OutputTypeRow {
  /** DuckDB column types the runner may cast to this type without changing their meaning ("NULL": an untyped NULL). */
  readonly castableFrom: RegExp;
  /** How the published Parquet encodes it (physical type / converted type), checked on every file before upload. */
  readonly parquet: { readonly type: string; readonly convertedType: string | null };
  /** The Glue (Hive) column type Athena reads that Parquet encoding as. */
  readonly glue: string;
}

const INTEGERS = 'TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT';

/** The only column types a published table may have: each reads correctly in Athena (metrics.md, Conventions). */
export const OUTPUT_TYPES = {
  BIGINT: {
    castableFrom: new RegExp(`^(${INTEGERS}|UHUGEINT|"NULL")$`),
    parquet: { type: 'INT64', convertedType: 'INT_64' },
    glue: 'bigint',
  },
  DOUBLE: {
    castableFrom: new RegExp(`^(${INTEGERS}|FLOAT|DOUBLE|DECIMAL.*|"NULL")$`),
    parquet: { type: 'DOUBLE', convertedType: null },
    glue: 'double',
  },
  'DECIMAL(18,2)': {
    castableFrom: new RegExp(`^(${INTEGERS}|FLOAT|DOUBLE|DECIMAL.*|"NULL")$`),
    parquet: { type: 'INT64', convertedType: 'DECIMAL' },
    glue: 'decimal(18,2)',
  },
  DATE: { castableFrom: /^(DATE|"NULL")$/, parquet: { type: 'INT32', convertedType: 'DATE' }, glue: 'date' },
  TIMESTAMP: {
    castableFrom: /^(TIMESTAMP.*|"NULL")$/,
    parquet: { type: 'INT64', convertedType: 'TIMESTAMP_MICROS' },
    glue: 'timestamp',
  },
  VARCHAR: { castableFrom: /^(VARCHAR|"NULL")$/, parquet: { type: 'BYTE_ARRAY', convertedType: 'UTF8' }, glue: 'string' },
  BOOLEAN: { castableFrom: /^(BOOLEAN|"NULL")$/, parquet: { type: 'BOOLEAN', convertedType: null }, glue: 'boolean' },
} as const satisfies Record<string, OutputTypeRow>;

export type OutputType = keyof typeof OUTPUT_TYPES;
export const OutputType = z.enum(Object.keys(OUTPUT_TYPES) as [OutputType, ...OutputType[]]);
