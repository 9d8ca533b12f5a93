import { open } from 'node:fs/promises';
import { InputFileError } from '../errors.js';

/** How many bytes of a file are looked at to tell what it really is. */
const SNIFF_BYTES = 1 << 16;

/** The first bytes of a file (up to 64 KiB). */
export async function readHead(path: string, bytes = SNIFF_BYTES): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const startsWith = (head: Buffer, bytes: number[]) => bytes.every((byte, i) => head[i] === byte);
const GZIP = [0x1f, 0x8b];
const ZIP = [0x50, 0x4b, 0x03, 0x04];
const PARQUET = [0x50, 0x41, 0x52, 0x31];

/**
 * Refuses a text file (CSV, NDJSON; already inflated if it was .gz) that is something else
 * than its name says, with what to do about it: DuckDB's own messages for these name the
 * reader's options, not the problem.
 */
export function checkTextFile(head: Buffer, kind: { readonly format: 'csv' | 'ndjson'; readonly gzip: boolean }): void {
  if (startsWith(head, [0xff, 0xfe]) || startsWith(head, [0xfe, 0xff])) {
    throw new InputFileError('file is UTF-16 encoded: save it as UTF-8 (in Excel: CSV UTF-8)');
  }
  if (startsWith(head, ZIP)) throw new InputFileError('this looks like an Excel workbook (a zip archive): save it as CSV UTF-8');
  if (startsWith(head, GZIP)) {
    const name = kind.format === 'csv' ? '.csv.gz' : '.jsonl.gz';
    throw new InputFileError(
      kind.gzip ? `file is gzip-compressed twice: decompress it once and upload the result as ${name}` : `file is gzip-compressed: name it ${name}`,
    );
  }
  if (startsWith(head, PARQUET)) throw new InputFileError('this is a Parquet file: name it .parquet');
  if (head.includes(0)) {
    throw new InputFileError('file holds NUL bytes: it is binary, or UTF-16 without a byte-order mark; save it as UTF-8');
  }
  if (head.includes(0x0d) && !head.includes(0x0a)) {
    throw new InputFileError('lines end in CR only (old Mac format): save the file with LF or CRLF line ends', 1);
  }
}

/** Blank lines in a row beyond which a file is refused: DuckDB's CSV reader fails on long runs of them. */
export const MAX_BLANK_RUN_BYTES = 1 << 20;

/**
 * The number of line-break bytes right after the header line (`headerEnd`), read until the
 * first other byte or `MAX_BLANK_RUN_BYTES` past it: a quick look, so that a header followed by
 * gigabytes of blank lines is refused at once.
 */
export async function blankRunAfterHeader(path: string, headerEnd: number): Promise<number> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(1 << 16);
    let run = 0;
    while (run <= MAX_BLANK_RUN_BYTES) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, headerEnd + run);
      if (bytesRead === 0) return run;
      for (let i = 0; i < bytesRead; i++) {
        if (buffer[i] !== 0x0a && buffer[i] !== 0x0d) return run + i;
      }
      run += bytesRead;
    }
    return run;
  } finally {
    await handle.close();
  }
}
