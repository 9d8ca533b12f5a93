import { z } from 'zod';

/**
 * How a file writes numbers and dates, when it cannot be told from the file itself: declared by
 * a preset (`formats:`) or by the lake settings (`ingest.formats`). Unset fields are detected
 * per file from the values (see the locale rules in docs/input-rules.md).
 */
export const DeclaredFormats = z
  .object({
    /** The decimal mark of amounts; the other of '.' and ',' is then read as a thousands separator. */
    decimal_mark: z.enum(['.', ',']).optional(),
    /** The order of day and month in dates written like 01/02/2024 or 01.02.2024. */
    date_order: z.enum(['day_first', 'month_first']).optional(),
  })
  .strict();
export type DeclaredFormats = z.infer<typeof DeclaredFormats>;

/**
 * How one column's amounts are read: with `.` or `,` as the decimal mark (declared, or proven
 * by some value of the file), `unknown` when no value shows it (a value whose reading depends
 * on it is ambiguous), `mixed` when values prove both (such values are rejected).
 */
export interface DecimalReading {
  readonly kind: 'decimal';
  readonly mark: '.' | ',' | 'unknown' | 'mixed';
}

/** How one column's dates written like 01/02/2024 are read; `unknown` and `mixed` as for DecimalReading. */
export interface DateReading {
  readonly kind: 'date';
  readonly order: 'day_first' | 'month_first' | 'unknown' | 'mixed';
}

export type ColumnReading = DecimalReading | DateReading;

/** What a file's values show about one column's conventions (see detect-formats.ts). */
export interface ColumnEvidence {
  /** Some value is only a number with `.` (or `,`) as the decimal mark. */
  readonly dotDecimal?: boolean;
  readonly commaDecimal?: boolean;
  /** Some date's first (or second) part is above 12. */
  readonly dayFirst?: boolean;
  readonly monthFirst?: boolean;
}

/** A column's reading: the declared format wins; else what the file proves. */
export function decimalReading(declared: DeclaredFormats | undefined, evidence: ColumnEvidence): DecimalReading {
  if (declared?.decimal_mark) return { kind: 'decimal', mark: declared.decimal_mark };
  const mark = evidence.dotDecimal ? (evidence.commaDecimal ? 'mixed' : '.') : evidence.commaDecimal ? ',' : 'unknown';
  return { kind: 'decimal', mark };
}

export function dateReading(declared: DeclaredFormats | undefined, evidence: ColumnEvidence): DateReading {
  if (declared?.date_order) return { kind: 'date', order: declared.date_order };
  const order = evidence.dayFirst ? (evidence.monthFirst ? 'mixed' : 'day_first') : evidence.monthFirst ? 'month_first' : 'unknown';
  return { kind: 'date', order };
}
