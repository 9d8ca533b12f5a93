// Hostile input files, each with the outcome the ingest must give it (issue 10, points 1, 2, 3 and 7).
import { gzipSync } from 'node:zlib';

export type Expected =
  | {
      readonly outcome: 'loaded';
      readonly rows_in: number;
      readonly rows_loaded: number;
      readonly rows_rejected: number;
      /** Each rejected row's reason, in line order, as `line: reason`. */
      readonly rejects?: readonly string[];
      /** Exact staged values: SQL over the staging Parquet (as `staged`), ordered rows. */
      readonly staged?: { readonly sql: string; readonly rows: readonly Record<string, unknown>[] };
      /** Columns the rejects Parquet must have, as the file names them. */
      readonly rejectColumns?: readonly string[];
    }
  | { readonly outcome: 'quarantined'; readonly error: RegExp; readonly line?: number | null };

export interface HostileFile {
  /** Inbox key. */
  readonly key: string;
  /** Text, bytes, or rows to write as Parquet with DuckDB (`select` SQL). */
  readonly content: string | Buffer | { readonly parquetSql: string };
  readonly expected: Expected;
}

export interface HostileCase {
  readonly name: string;
  readonly files: readonly HostileFile[];
}

export const lines = (...rows: string[]) => `${rows.join('\n')}\n`;
const json = (...rows: object[]) => lines(...rows.map((row) => JSON.stringify(row)));

const ORDERS = 'order_id,customer_id,ordered_at,amount,status';
/** One good order and one with a status the contract refuses ('pending'). */
const GOOD = 'o1,c1,2024-01-01,10.00,completed';
const PENDING = 'o2,c1,2024-01-02,20.00,pending';
const PENDING_REASON = "3: status must be one of completed, refunded, cancelled, got 'pending'";
const stagedOrders = { sql: 'select order_id, cast(amount as varchar) as amount, cast(_source_line as integer) as line from staged order by 1', rows: [{ order_id: 'o1', amount: '10.00', line: 2 }] };

/** A column the validator uses internally, in the file's own header: it must change nothing. */
function reservedNameCases(): HostileCase[] {
  const names = ['__reason', '__column_reason', '__line', 'ordinality', '__parsed_amount', '__text_amount', '__in_1', '_source_line'];
  const cases: HostileCase[] = [];
  for (const name of names) {
    for (const filled of [false, true]) {
      const value = filled ? 'hello' : '';
      cases.push({
        name: `CSV column '${name}' ${filled ? 'filled' : 'empty'}`,
        files: [
          {
            key: `inbox/orders/${name}-${filled}.csv`,
            content: lines(`${ORDERS},${name}`, `${GOOD},${value}`, `${PENDING},${value}`),
            expected: { outcome: 'loaded', rows_in: 2, rows_loaded: 1, rows_rejected: 1, rejects: [PENDING_REASON], staged: stagedOrders, rejectColumns: ['order_id', 'status', name === '_source_line' ? '_source_line_2' : name] },
          },
        ],
      });
    }
    cases.push({
      name: `NDJSON key '${name}'`,
      files: [
        {
          key: `inbox/orders/${name}.jsonl`,
          content: json(
            { order_id: 'o1', customer_id: 'c1', ordered_at: '2024-01-01', amount: '10.00', status: 'completed', [name]: 'hello' },
            { order_id: 'o2', customer_id: 'c1', ordered_at: '2024-01-02', amount: 20, status: 'pending', [name]: '' },
          ),
          expected: { outcome: 'loaded', rows_in: 2, rows_loaded: 1, rows_rejected: 1, rejects: [PENDING_REASON.replace('3:', '2:')], staged: { ...stagedOrders, rows: [{ order_id: 'o1', amount: '10.00', line: 1 }] } },
        },
      ],
    });
    cases.push({
      name: `Parquet column '${name}'`,
      files: [
        {
          key: `inbox/orders/${name}.parquet`,
          content: {
            parquetSql: `select * from (values ('o1', 'c1', '2024-01-01', 10.00, 'completed', 'hello'), ('o2', 'c1', '2024-01-02', 20.00, 'pending', null))
              as t(order_id, customer_id, ordered_at, amount, status, "${name}")`,
          },
          expected: { outcome: 'loaded', rows_in: 2, rows_loaded: 1, rows_rejected: 1, rejects: [PENDING_REASON.replace('3:', '2:')], staged: { ...stagedOrders, rows: [{ order_id: 'o1', amount: '10.00', line: 1 }] } },
        },
      ],
    });
  }
  cases.push({
    name: 'NDJSON keys that look like JSON paths or hold quotes',
    files: [
      {
        key: 'inbox/orders/path-keys.jsonl',
        content: json({ order_id: 'o1', customer_id: 'c1', ordered_at: '2024-01-01', amount: 10, $: 'root', 'a.b': 'dotted', 'q"x': 'quoted', '\\': 'backslash' }),
        expected: {
          outcome: 'loaded', rows_in: 1, rows_loaded: 1, rows_rejected: 0,
          staged: { sql: 'select "$" as root, "a.b" as dotted, "q""x" as quoted, "\\" as backslash from staged', rows: [{ root: 'root', dotted: 'dotted', quoted: 'quoted', backslash: 'backslash' }] },
        },
      },
    ],
  });
  cases.push({
    name: 'NDJSON empty key',
    files: [
      {
        key: 'inbox/orders/empty-key.jsonl',
        content: json({ order_id: 'o1', customer_id: 'c1', ordered_at: '2024-01-01', amount: 10, '': 'x' }),
        expected: { outcome: 'loaded', rows_in: 1, rows_loaded: 1, rows_rejected: 0 },
      },
    ],
  });
  return cases;
}

/** Values that a lenient cast would turn into something else: each must be rejected with its reason. */
function coercionCases(): HostileCase[] {
  const scores = ['7.5', '9.5', '6.5', '4.6', '-0.4', '1e1', '0x0A', '0b1010', '1_0'];
  const surveys = lines(
    'response_id,survey,score,responded_at',
    'r0,nps,7,2024-01-01',
    ...scores.map((score, i) => `r${i + 1},nps,${score},2024-01-01`),
  );
  return [
    {
      name: 'survey scores that are not integers',
      files: [
        {
          key: 'inbox/survey_responses/scores.csv',
          content: surveys,
          expected: {
            outcome: 'loaded', rows_in: 10, rows_loaded: 1, rows_rejected: 9,
            rejects: scores.map((score, i) => `${i + 3}: score is not a valid integer: '${score}'`),
          },
        },
      ],
    },
    {
      name: 'amounts with digit separators or more than 2 decimals',
      files: [
        {
          key: 'inbox/orders/amounts.csv',
          content: lines(ORDERS, GOOD, 'o2,c1,2024-01-01,1_000,completed', 'o3,c1,2024-01-01,-0.001,completed', 'o4,c1,2024-01-01,0.001,completed', 'o5,c1,2024-01-01,1.50,completed', 'o6,c1,2024-01-01,2.500,completed'),
          expected: {
            outcome: 'loaded', rows_in: 6, rows_loaded: 3, rows_rejected: 3,
            rejects: [
              "3: amount is not a valid decimal: '1_000'",
              "4: amount has more than 2 decimal places: '-0.001'",
              "5: amount has more than 2 decimal places: '0.001'",
            ],
            // 2.500 is 2.50: a zero past the second decimal changes nothing
            staged: { sql: 'select order_id, cast(amount as varchar) as amount from staged order by 1', rows: [{ order_id: 'o1', amount: '10.00' }, { order_id: 'o5', amount: '1.50' }, { order_id: 'o6', amount: '2.50' }] },
          },
        },
      ],
    },
    {
      name: 'UTC offsets that do not exist',
      files: [
        {
          key: 'inbox/orders/offsets.csv',
          content: lines(ORDERS, 'o1,c1,2024-01-01T10:00:00+14:00,1,completed', 'o2,c1,2024-01-01T10:00:00+99:99,1,completed', 'o3,c1,2024-01-01T10:00:00+24:00,1,completed', 'o4,c1,2024-01-01T10:00:00-05:60,1,completed'),
          expected: {
            outcome: 'loaded', rows_in: 4, rows_loaded: 1, rows_rejected: 3,
            rejects: [
              "3: ordered_at is not a valid timestamp: '2024-01-01T10:00:00+99:99'",
              "4: ordered_at is not a valid timestamp: '2024-01-01T10:00:00+24:00'",
              "5: ordered_at is not a valid timestamp: '2024-01-01T10:00:00-05:60'",
            ],
            // 10:00 at +14:00 is 20:00 UTC the day before
            staged: { sql: 'select order_id, cast(ordered_at as varchar) as ordered_at from staged', rows: [{ order_id: 'o1', ordered_at: '2023-12-31 20:00:00' }] },
          },
        },
      ],
    },
    {
      name: 'NDJSON ids that are objects, arrays or booleans',
      files: [
        {
          key: 'inbox/orders/ids.jsonl',
          content: json(
            { order_id: 'o1', customer_id: 42, ordered_at: '2024-01-01', amount: 1 },
            { order_id: 'o2', customer_id: { id: 'c1' }, ordered_at: '2024-01-01', amount: 1 },
            { order_id: 'o3', customer_id: ['c1'], ordered_at: '2024-01-01', amount: 1 },
            { order_id: true, customer_id: 'c1', ordered_at: '2024-01-01', amount: 1 },
            { order_id: 'o5', customer_id: 'c1', ordered_at: '2024-01-01', amount: 1, status: false },
          ),
          expected: {
            outcome: 'loaded', rows_in: 5, rows_loaded: 1, rows_rejected: 4,
            rejects: [
              `2: customer_id is not a valid string: '{"id":"c1"}'`,
              `3: customer_id is not a valid string: '["c1"]'`,
              "4: order_id is not a valid string: 'true'",
              "5: status must be one of completed, refunded, cancelled, got 'false'",
            ],
            staged: { sql: 'select order_id, customer_id from staged', rows: [{ order_id: 'o1', customer_id: '42' }] },
          },
        },
      ],
    },
    {
      name: 'NDJSON numbers a double cannot hold exactly',
      files: [
        {
          key: 'inbox/orders/numbers.jsonl',
          content: lines(
            '{"order_id":"o1","customer_id":"c1","ordered_at":"2024-01-01","amount":12.5}',
            '{"order_id":"o2","customer_id":"c1","ordered_at":"2024-01-01","amount":1234567890123456.78}',
            '{"order_id":"o3","customer_id":"c1","ordered_at":"2024-01-01","amount":"1234567890123456.78"}',
          ),
          expected: {
            outcome: 'loaded', rows_in: 3, rows_loaded: 1, rows_rejected: 2,
            // read as the double 1234567890123456.8: 17 significant digits, more than a double holds exactly;
            // as a string it is read exactly, and is over the largest amount accepted
            rejects: ["2: amount is not a valid decimal: '1234567890123456.8'", '3: amount must be ≤ 1000000000, got 1234567890123456.78'],
            staged: { sql: 'select order_id, cast(amount as varchar) as amount from staged order by 1', rows: [{ order_id: 'o1', amount: '12.50' }] },
          },
        },
      ],
    },
    {
      name: 'NDJSON keys that differ only in case on different lines',
      files: [
        {
          key: 'inbox/orders/case.jsonl',
          content: json(
            { order_id: 'o1', customer_id: 'c1', ordered_at: '2024-01-01', amount: 1 },
            { order_id: 'o2', customer_id: 'c1', ordered_at: '2024-01-01', Amount: 2 },
            { Order_ID: 'o3', customer_id: 'c1', ordered_at: '2024-01-01', AMOUNT: 3, Coupon: 'A' },
            { order_id: 'o4', customer_id: 'c1', ordered_at: '2024-01-01', amount: 4, coupon: 'B' },
          ),
          expected: {
            outcome: 'loaded', rows_in: 4, rows_loaded: 4, rows_rejected: 0,
            staged: {
              sql: 'select order_id, cast(amount as varchar) as amount, "Coupon" as coupon from staged order by 1',
              rows: [{ order_id: 'o1', amount: '1.00', coupon: null }, { order_id: 'o2', amount: '2.00', coupon: null }, { order_id: 'o3', amount: '3.00', coupon: 'A' }, { order_id: 'o4', amount: '4.00', coupon: 'B' }],
            },
          },
        },
      ],
    },
    {
      name: 'NDJSON line naming one column twice',
      files: [
        {
          key: 'inbox/orders/twice.jsonl',
          content: lines('{"order_id":"o1","customer_id":"c1","ordered_at":"2024-01-01","amount":1}', '{"order_id":"o2","customer_id":"c1","ordered_at":"2024-01-01","amount":1,"Amount":2}'),
          expected: { outcome: 'quarantined', error: /line 2 names column amount twice \('Amount' and 'amount'\)/, line: 2 },
        },
      ],
    },
  ];
}

/** A valid file that must still load after a refused one. */
const goodAfter = (name: string): HostileFile => ({
  key: `inbox/orders/${name}`,
  content: lines(ORDERS, GOOD),
  expected: { outcome: 'loaded', rows_in: 1, rows_loaded: 1, rows_rejected: 0 },
});

/** Files that are not what their name says, or that no reader can take: refused with a reason saying what to do. */
function refusedFileCases(): HostileCase[] {
  const utf16 = (bom: number[], encoding: 'utf16le' | 'utf16be') => {
    const text = Buffer.from(lines(ORDERS, GOOD), 'utf16le');
    if (encoding === 'utf16be') text.swap16();
    return Buffer.concat([Buffer.from(bom), text]);
  };
  const zipHeader = Buffer.concat([Buffer.from('PK\x03\x04\x14\x00\x06\x00', 'latin1'), Buffer.alloc(200, 7)]);
  const hugeField = 'x'.repeat(1 << 20);
  return [
    { name: 'UTF-16 LE with BOM', files: [{ key: 'inbox/orders/utf16le.csv', content: utf16([0xff, 0xfe], 'utf16le'), expected: { outcome: 'quarantined', error: /^file is UTF-16 encoded: save it as UTF-8 \(in Excel: CSV UTF-8\)$/ } }, goodAfter('z-after-utf16le.csv')] },
    { name: 'UTF-16 BE with BOM', files: [{ key: 'inbox/orders/utf16be.csv', content: utf16([0xfe, 0xff], 'utf16be'), expected: { outcome: 'quarantined', error: /^file is UTF-16 encoded/ } }] },
    { name: 'an Excel workbook named .csv', files: [{ key: 'inbox/orders/orders.csv', content: zipHeader, expected: { outcome: 'quarantined', error: /^this looks like an Excel workbook \(a zip archive\): save it as CSV UTF-8$/ } }] },
    { name: 'gzip inside gzip', files: [{ key: 'inbox/orders/twice.csv.gz', content: gzipSync(gzipSync(lines(ORDERS, GOOD))), expected: { outcome: 'quarantined', error: /^file is gzip-compressed twice: decompress it once and upload the result as \.csv\.gz$/ } }] },
    { name: 'gzip not named .gz', files: [{ key: 'inbox/orders/plain.csv', content: gzipSync(lines(ORDERS, GOOD)), expected: { outcome: 'quarantined', error: /^file is gzip-compressed: name it \.csv\.gz$/ } }] },
    { name: 'CR-only line ends', files: [{ key: 'inbox/orders/mac.csv', content: `${ORDERS}\r${GOOD}\r${PENDING}\r`, expected: { outcome: 'quarantined', error: /^lines end in CR only \(old Mac format\): save the file with LF or CRLF line ends$/, line: 1 } }] },
    { name: 'an unterminated quote', files: [{ key: 'inbox/orders/quote.csv', content: lines(ORDERS, GOOD, 'o2,"c1,2024-01-02,20.00,completed', GOOD.replace('o1', 'o3')), expected: { outcome: 'quarantined', error: /^line 3: a quoted field is never closed \(unterminated quote\)/, line: 3 } }] },
    {
      name: 'a header followed by many blank lines',
      files: [{ key: 'inbox/orders/blank.csv', content: `${ORDERS}\n${'\n'.repeat(2 << 20)}`, expected: { outcome: 'quarantined', error: /^the header is followed by over 1 MiB of blank lines: remove them$/, line: 2 } }],
    },
    {
      name: 'a long run of blank lines between rows',
      // DuckDB's reader loses its place after about 32 million blank lines in a row.
      files: [{ key: 'inbox/orders/blank-middle.csv', content: `${ORDERS}\n${GOOD}\n${'\n'.repeat(40_000_000)}${PENDING}\n`, expected: { outcome: 'quarantined', error: /^line \d+: inside a long run of blank lines: remove them$/ } }],
    },
    {
      name: 'Parquet columns of nested or boolean type',
      files: [
        {
          key: 'inbox/orders/nested.parquet',
          content: {
            parquetSql: `select * from (values ('o1', {'id': 'c1'}, '2024-01-01', 1.00, true), ('o2', {'id': 'c2'}, '2024-01-01', 1.00, false))
              as t(order_id, customer_id, ordered_at, amount, status)`,
          },
          expected: {
            outcome: 'loaded', rows_in: 2, rows_loaded: 0, rows_rejected: 2,
            rejects: [
              "1: customer_id is not a valid string: '{'id': c1}'; status must be one of completed, refunded, cancelled, got 'true'",
              "2: customer_id is not a valid string: '{'id': c2}'; status must be one of completed, refunded, cancelled, got 'false'",
            ],
          },
        },
      ],
    },
    {
      name: 'blank lines between rows',
      // DuckDB skips blank lines without counting them, so the line given is the row's number + 1.
      files: [{ key: 'inbox/orders/gaps.csv', content: `${ORDERS}\n${GOOD}\n\n\n${PENDING}\n\n`, expected: { outcome: 'loaded', rows_in: 2, rows_loaded: 1, rows_rejected: 1 } }],
    },
    {
      name: 'a 1 MB field in a broken line',
      files: [{ key: 'inbox/orders/wide.csv', content: lines(ORDERS, GOOD, `o2,c1,2024-01-02,20.00,completed,${hugeField}`), expected: { outcome: 'quarantined', error: /^line 3 has 6 fields where the header has 5: 'o2,c1,2024-01-02,20\.00,completed,x{67}…'$/, line: 3 } }],
    },
    {
      name: 'a 1 MB value in a bad row',
      files: [{ key: 'inbox/orders/wide-value.csv', content: lines(ORDERS, GOOD, `o2,c1,2024-01-02,${hugeField},completed`), expected: { outcome: 'loaded', rows_in: 2, rows_loaded: 1, rows_rejected: 1, rejects: [`3: amount is not a valid decimal: '${'x'.repeat(60)}…'`] } }],
    },
  ];
}

/** A gzip that inflates to `inflatedBytes` (zeros compress about 1000:1). */
export function gzipBomb(inflatedBytes: number): Buffer {
  return gzipSync(Buffer.concat([Buffer.from(`${ORDERS}\n`), Buffer.alloc(inflatedBytes)]));
}

/** `count` NDJSON orders, each with one key no other line has. */
export function manyKeysNdjson(count: number): string {
  const rows: string[] = [];
  for (let i = 1; i <= count; i++) {
    rows.push(JSON.stringify({ order_id: `o${i}`, customer_id: 'c1', ordered_at: '2024-01-01', amount: i === count ? -1 : 1, [`key_${i}`]: `v${i}` }));
  }
  return lines(...rows);
}

/** Every small case; the big ones (gzip bomb, many keys) have their own tests. */
export function hostileCases(): HostileCase[] {
  return [...reservedNameCases(), ...coercionCases(), ...refusedFileCases()];
}
