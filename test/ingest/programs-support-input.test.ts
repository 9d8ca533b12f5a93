// The datasets program_memberships and support_tickets (metrics.md, "Additions (second release)"):
// good rows staged typed with their defaults, bad rows rejected with every reason, bad files quarantined.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stageExports } from '../helpers/model-harness.js';
import { csv, ingestOnly, query, readParquet, run, tempLake } from '../helpers/temp-lake.js';

/** The UTC date `days` after today (the run date), YYYY-MM-DD. */
const daysFromToday = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

describe('program_memberships input', () => {
  it('stages good rows (program_type case-insensitive, default other) and rejects bad ones with their reasons', async () => {
    // Prepare
    const file = csv(
      'membership_id,customer_id,program,program_type,joined_at,left_at',
      'm1,c1,gold club,LOYALTY,2024-01-05,', // line 2: good, still a member
      'm2,c1,refer-a-friend,,2024-02-01T10:00:00+02:00,2024-03-01', // good: type defaults to other, joined 08:00 UTC
      'm3,c2,gold club,loyalty,2024-01-10,2024-01-10', // good: left the day it joined (left_at = joined_at)
      'm4,c2,gold club,vip,2024-01-10,', // bad type
      'm5,c3,gold club,loyalty,2024-03-10,2024-03-09', // left before it joined
      ',c3,gold club,loyalty,2024-03-10,', // no key
      'm7,,,loyalty,,', // no customer, program, joined_at
      `m8,c4,gold club,loyalty,${daysFromToday(3)},`, // joined in the future (window past: run date + 1 day)
      `m9,c4,gold club,loyalty,2024-01-01,${daysFromToday(400)}`, // a planned end far ahead: accepted (window from_earliest)
      'm10,c4,gold club,loyalty,1989-12-31,', // before ingest.earliest_date
    );

    // Act
    const { reports, staged, rejects } = await stageExports({ 'inbox/program_memberships/memberships.csv': file });

    // Assess
    expect(reports).toMatchObject([{ outcome: 'loaded', rows_in: 10, rows_loaded: 4, rows_rejected: 6 }]);
    expect(staged.program_memberships!.map((r) => [r.membership_id, r.customer_id, r.program, r.program_type, r.joined_at, r.left_at])).toEqual([
      ['m1', 'c1', 'gold club', 'loyalty', '2024-01-05 00:00:00', null],
      ['m2', 'c1', 'refer-a-friend', 'other', '2024-02-01 08:00:00', '2024-03-01 00:00:00'],
      ['m3', 'c2', 'gold club', 'loyalty', '2024-01-10 00:00:00', '2024-01-10 00:00:00'],
      ['m9', 'c4', 'gold club', 'loyalty', '2024-01-01 00:00:00', `${daysFromToday(400)} 00:00:00`],
    ]);
    expect(rejects.program_memberships!.map((r) => `${r._source_line}: ${r._reject_reason}`)).toEqual([
      "5: program_type must be one of loyalty, referral, affiliate, advocate, other, got 'vip'",
      '6: left_at is before joined_at',
      '7: membership_id is missing',
      '8: customer_id is missing; program is missing; joined_at is missing',
      `9: joined_at is after ${daysFromToday(1)} (the run date plus ingest.latest_date_days_ahead), got '${daysFromToday(3)}'`,
      "11: joined_at is before 1990-01-01 (ingest.earliest_date), got '1989-12-31'",
    ]);
  });

  it('quarantines a file without a required column', async () => {
    const { reports, staged } = await stageExports({
      'inbox/program_memberships/no-program.csv': csv('membership_id,customer_id,joined_at', 'm1,c1,2024-01-05'),
    });
    expect(reports).toMatchObject([{ outcome: 'quarantined', error: expect.stringMatching(/program/) }]);
    expect(staged.program_memberships).toBeUndefined();
  });
});

describe('support_tickets input', () => {
  it('reads is_complaint as true/false/1/0/yes/no in any case (default true) and rejects any other word', async () => {
    // Prepare
    const file = csv(
      'ticket_id,customer_id,opened_at,is_complaint,category,resolved_at',
      't1,c1,2024-01-05T09:00:00Z,TRUE,billing,2024-01-05T21:00:00Z', // line 2
      't2,c1,2024-01-06,false,,',
      't3,,2024-01-07,1,delivery,', // no customer: accepted (optional)
      't4,c2,2024-01-08,0,,',
      't5,c2,2024-01-09,Yes,,',
      't6,c2,2024-01-10,no,,',
      't7,c3,2024-01-11,,,', // empty: the default true
      't8,c3,2024-01-12,y,,', // not one of the words
      't9,c3,2024-01-12,2,,',
      't10,c3,2024-01-12,1.0,,',
      't11,c3,2024-01-12T10:00:00Z,true,,2024-01-12T09:59:59Z', // resolved before opened
      't12,c3,,true,,', // no opened_at
      `t13,c3,2024-01-12,true,,${daysFromToday(3)}`, // resolved in the future (window past)
    );

    // Act
    const { reports, staged, rejects } = await stageExports({ 'inbox/support_tickets/tickets.csv': file });

    // Assess
    expect(reports).toMatchObject([{ outcome: 'loaded', rows_in: 13, rows_loaded: 7, rows_rejected: 6 }]);
    expect(staged.support_tickets!.map((r) => [r.ticket_id, r.customer_id, r.is_complaint, r.category, r.opened_at, r.resolved_at])).toEqual([
      ['t1', 'c1', true, 'billing', '2024-01-05 09:00:00', '2024-01-05 21:00:00'],
      ['t2', 'c1', false, null, '2024-01-06 00:00:00', null],
      ['t3', null, true, 'delivery', '2024-01-07 00:00:00', null],
      ['t4', 'c2', false, null, '2024-01-08 00:00:00', null],
      ['t5', 'c2', true, null, '2024-01-09 00:00:00', null],
      ['t6', 'c2', false, null, '2024-01-10 00:00:00', null],
      ['t7', 'c3', true, null, '2024-01-11 00:00:00', null],
    ]);
    const words = 'true, 1, yes, false, 0, no';
    expect(rejects.support_tickets!.map((r) => `${r._source_line}: ${r._reject_reason}`)).toEqual([
      `9: is_complaint must be one of ${words}, got 'y'`,
      `10: is_complaint must be one of ${words}, got '2'`,
      `11: is_complaint must be one of ${words}, got '1.0'`,
      '12: resolved_at is before opened_at',
      '13: opened_at is missing',
      `14: resolved_at is after ${daysFromToday(1)} (the run date plus ingest.latest_date_days_ahead), got '${daysFromToday(3)}'`,
    ]);
  });

  it('reads a JSON boolean as a boolean, and rejects a JSON object or a JSON boolean in a string column', async () => {
    const lines = [
      { ticket_id: 't1', opened_at: '2024-01-05', is_complaint: true }, // line 1
      { ticket_id: 't2', opened_at: '2024-01-05', is_complaint: false },
      { ticket_id: 't3', opened_at: '2024-01-05', is_complaint: 'no' },
      { ticket_id: 't4', opened_at: '2024-01-05', is_complaint: 0 },
      { ticket_id: 't5', opened_at: '2024-01-05', is_complaint: { value: true } },
      { ticket_id: 't6', opened_at: '2024-01-05', is_complaint: [true] },
      { ticket_id: 't7', opened_at: '2024-01-05', category: true },
    ];
    const { reports, staged, rejects } = await stageExports({
      'inbox/support_tickets/tickets.jsonl': `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`,
    });
    expect(reports).toMatchObject([{ outcome: 'loaded', rows_in: 7, rows_loaded: 4, rows_rejected: 3 }]);
    expect(staged.support_tickets!.map((r) => [r.ticket_id, r.is_complaint])).toEqual([
      ['t1', true],
      ['t2', false],
      ['t3', false],
      ['t4', false],
    ]);
    expect(rejects.support_tickets!.map((r) => `${r._source_line}: ${r._reject_reason}`)).toEqual([
      `5: is_complaint must be one of true, 1, yes, false, 0, no, got '{"value":true}'`,
      "6: is_complaint must be one of true, 1, yes, false, 0, no, got '[true]'",
      "7: category is not a valid string: 'true'",
    ]);
  });
});

describe('programs and support through a run', () => {
  it('ingests both exports beside orders, builds and publishes program_participation_monthly and support_monthly', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    put('inbox/orders/orders.csv', csv('order_id,customer_id,ordered_at,amount', 'o1,c1,2024-01-05,10', 'o2,c2,2024-02-10,20'));
    put('inbox/program_memberships/m.csv', csv('membership_id,customer_id,program,program_type,joined_at', 'm1,c1,Gold,Loyalty,2024-01-02', 'm2,c2,Gold,oops,2024-01-02'));
    put('inbox/support_tickets/t.csv', csv('ticket_id,customer_id,opened_at,is_complaint', 't1,c1,2024-02-01,yes', 't2,c1,2024-02-03,maybe'));

    // Act
    const manifest = await run(lake, { asOf: '2024-02-29' });

    // Assess
    expect(manifest.error).toBeUndefined();
    expect(manifest.ingest).toMatchObject({ rows_in: 6, rows_loaded: 4, rows_rejected: 2 });
    // Feb: customers_12m {c1, c2}; Gold members on 02-29: c1 (m2 rejected) → 1 / 2
    const programs = await query(
      `select cast(month as varchar) as month, program, program_type, members_end, participation_rate from read_parquet('${dir}/metrics/program_participation_monthly/v1/data.parquet') order by month`,
    );
    expect(programs).toEqual([
      { month: '2024-01-01', program: 'Gold', program_type: 'loyalty', members_end: '1', participation_rate: 1 }, // Jan: c1 / {c1}
      { month: '2024-02-01', program: 'Gold', program_type: 'loyalty', members_end: '1', participation_rate: 0.5 },
    ]);
    // Feb: one complaint (t1; t2 rejected) from c1; active customers {c2} → 1 / 1
    const support = await query(
      `select cast(month as varchar) as month, tickets, complaints, complaint_rate from read_parquet('${dir}/metrics/support_monthly/v1/data.parquet')`,
    );
    expect(support).toEqual([{ month: '2024-02-01', tickets: '1', complaints: '1', complaint_rate: 1 }]);
  });
});

describe('support_tickets from Parquet', () => {
  it('reads a BOOLEAN column as is_complaint, and still rejects a BOOLEAN column as a string', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    put('inbox/support_tickets/tickets.parquet', '');
    await query(`copy (
      select 't1' as ticket_id, timestamp '2024-01-05 10:00:00' as opened_at, true as is_complaint, null::boolean as category
      union all select 't2', timestamp '2024-01-06 10:00:00', false, null
      union all select 't3', timestamp '2024-01-07 10:00:00', null, true
    ) to '${join(dir, 'inbox/support_tickets/tickets.parquet')}' (format parquet)`);

    // Act
    const [report] = await ingestOnly(lake);

    // Assess
    expect(report).toMatchObject({ outcome: 'loaded', rows_in: 3, rows_loaded: 2, rows_rejected: 1 });
    const staged = await query(`select ticket_id, is_complaint from read_parquet('${dir}/staging/support_tickets/**/*.parquet') order by ticket_id`);
    expect(staged).toEqual([
      { ticket_id: 't1', is_complaint: true },
      { ticket_id: 't2', is_complaint: false },
    ]);
    expect((await readParquet(dir, report!.rejects_key!)).map((r) => r._reject_reason)).toEqual(["category is not a valid string: 'true'"]);
  });
});
