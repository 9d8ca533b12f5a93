import { describe, expect, it } from 'vitest';
import { derivedObjects, keysOf } from '../../src/core/control/derived-objects.js';
import { tempLake } from '../helpers/temp-lake.js';

describe('derivedObjects', () => {
  it("finds every version's staging, rejects and quarantine objects of an inbox key, and no other file's", async () => {
    // Prepare: keys as ingest names them (lake-layout.ts inputFileId: <path below the dataset>@<12 characters of the ETag>)
    const { lake, put } = tempLake();
    for (const key of [
      'staging/orders/a.csv@0123456789ab.parquet', // version 1 of inbox/orders/a.csv
      'rejects/orders/a.csv@0123456789ab.parquet',
      'quarantine/orders/a.csv@ffffffffffff', // version 2, refused whole
      'quarantine/orders/a.csv@ffffffffffff.error.json',
      'staging/orders/a.csv@x.csv@0123456789ab.parquet', // another file: inbox/orders/a.csv@x.csv
      'staging/orders/a.csv.gz@0123456789ab.parquet', // another file: inbox/orders/a.csv.gz
      'staging/orders/shopify_orders/a.csv@aaaaaaaaaaaa.parquet', // a preset's file: inbox/shopify_orders/a.csv
    ]) put(key, 'x');

    // Act
    const plain = await derivedObjects(lake, 'inbox/orders/a.csv');
    const preset = await derivedObjects(lake, 'inbox/shopify_orders/a.csv');

    // Assess
    expect(plain).toEqual([
      { fingerprint: '0123456789ab', staging: 'staging/orders/a.csv@0123456789ab.parquet', rejects: 'rejects/orders/a.csv@0123456789ab.parquet' },
      { fingerprint: 'ffffffffffff', quarantine: 'quarantine/orders/a.csv@ffffffffffff', quarantineReport: 'quarantine/orders/a.csv@ffffffffffff.error.json' },
    ]);
    // Done-markers (staging, the quarantine report) last: an interrupted removal leaves the file still "ingested", never half.
    expect(keysOf(plain[1]!)).toEqual(['quarantine/orders/a.csv@ffffffffffff', 'quarantine/orders/a.csv@ffffffffffff.error.json']);
    expect(preset.map((v) => v.staging)).toEqual(['staging/orders/shopify_orders/a.csv@aaaaaaaaaaaa.parquet']);
  });
});
