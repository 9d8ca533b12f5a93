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
