/**
 * engagement_monthly v2 and feature_adoption_monthly against docs/metrics.md ("Engagement
 * beyond DAU/MAU"). Every expected value is a hand calculation from the spec written next to
 * it — none was copied from a run.
 *
 * EVENTS, as-of 2024-04-15 (January and February full, March without events, April partial),
 * default settings (session_gap_minutes 30, login_event login) unless a test says otherwise.
 * Sessions the spec makes of them (length in minutes):
 *   a  no session_id:  A1 {a1 10:00, a2 10:30}   gap exactly 30 → one session, 30      (January)
 *                      A2 {a3 11:01}              gap 31 from a2 → a new session, 0      (January)
 *                      A3 {a4 04-01 09:00}                                       0      (April)
 *   b  session_id s1:  B1 {b1 09:00, b3 11:00}   2 hours apart, one session by its id, 120 (January)
 *      no session_id:  B2 {b2 09:10}              b's event without an id: a gap session, 0 (January)
 *   c  no session_id:  C1 {c1 01-31 23:50, c2 02-01 00:15, c3 02-01 00:40}: 25-minute gaps over
 *                      midnight and the month's end → one session of 50, in January (its first event)
 *   d  session_id x:   D1 {d1 60 s, d2 90 s}      every event has a duration → 150 s = 2.5 (February)
 *      session_id y:   D2 {d3 60 s, d4 —} 20 min apart, one without a duration → 20       (February)
 *      no session_id:  D3 {d5 30 s}               its only event has one → 30 s = 0.5     (February)
 *   e  e1 04-16: after the as-of date, not counted.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sqlString } from '../../src/core/duckdb.js';
import { expectRows, type Row } from '../helpers/expect-rows.js';
import { buildTable, buildTables, failingTests, stageExports, type BuiltTable } from '../helpers/model-harness.js';
import { csv, query, run, tempLake } from '../helpers/temp-lake.js';

const AS_OF = '2024-04-15';

const event = (customer_id: string, event_name: string, occurred_at: string, session_id: string | null = null, duration_seconds: number | null = null): Row => ({
  customer_id,
  event_name,
  occurred_at,
  session_id,
  duration_seconds,
});

const EVENTS: Row[] = [
  event('a', 'login', '2024-01-10 10:00:00'), // a1
  event('a', 'wishlist_add', '2024-01-10 10:30:00'), // a2: exactly 30 minutes after a1
  event('a', 'page_view', '2024-01-10 11:01:00'), // a3: 31 minutes after a2
  event('a', 'login', '2024-04-01 09:00:00'), // a4
  event('b', 'login', '2024-01-10 09:00:00', 's1'), // b1
  event('b', 'page_view', '2024-01-10 09:10:00'), // b2: no session_id
  event('b', 'wishlist_add', '2024-01-10 11:00:00', 's1'), // b3
  event('c', 'login', '2024-01-31 23:50:00'), // c1
  event('c', 'feature_x', '2024-02-01 00:15:00'), // c2: 25 minutes later, past midnight and the month's end
  event('c', 'page_view', '2024-02-01 00:40:00'), // c3: 25 minutes later
  event('d', 'login', '2024-02-05 10:00:00', 'x', 60), // d1
  event('d', 'feature_x', '2024-02-05 10:05:00', 'x', 90), // d2
  event('d', 'page_view', '2024-02-06 10:00:00', 'y', 60), // d3
  event('d', 'feature_x', '2024-02-06 10:20:00', 'y'), // d4: no duration
  event('d', 'page_view', '2024-02-07 12:00:00', null, 30), // d5
  event('e', 'login', '2024-04-16 00:00:00'), // e1: after the as-of date
];

const V2_TYPES = {
  month: 'DATE',
  monthly_active_customers: 'BIGINT',
  avg_daily_active_customers: 'DOUBLE',
  days_counted: 'BIGINT',
  dau_mau: 'DOUBLE',
  events: 'BIGINT',
  events_per_active_user: 'DOUBLE',
  logins_per_active_user: 'DOUBLE',
  sessions: 'BIGINT',
  sessions_per_active_user: 'DOUBLE',
  avg_session_minutes: 'DOUBLE',
  minutes_per_active_day: 'DOUBLE',
  is_partial_period: 'BOOLEAN',
};

describe('engagement_monthly v2 (as-of 2024-04-15, default settings)', () => {
  let v1: BuiltTable;
  let v2: BuiltTable;
  beforeAll(async () => {
    const built = await buildTables(['engagement_monthly_v1', 'engagement_monthly_v2'], { asOf: AS_OF, staging: { events: EVENTS } });
    v1 = built.engagement_monthly_v1!;
    v2 = built.engagement_monthly_v2!;
  });

  it('builds the declared types, every data test passing', () => {
    expect(v2.types).toEqual(V2_TYPES);
    expect(failingTests(v2)).toEqual([]);
  });

  it("has version 1's columns exactly as version 1 publishes them", () => {
    const v1Columns = Object.keys(v1.types);
    expect(v2.rows.map((row) => Object.fromEntries(v1Columns.map((c) => [c, row[c]])))).toEqual(v1.rows);
  });

  it('counts events, logins, sessions and session minutes per month', () => {
    expectRows(
      v2.rows,
      [
        {
          month: '2024-01-01',
          monthly_active_customers: '3', // a, b, c
          avg_daily_active_customers: 3 / 31, // 01-10 {a, b} 2 + 01-31 {c} 1 = 3 over 31 days
          days_counted: '31',
          dau_mau: 3 / 31 / 3,
          events: '7', // a1 a2 a3 b1 b2 b3 c1
          events_per_active_user: 7 / 3,
          logins_per_active_user: 3 / 3, // a1 b1 c1
          sessions: '5', // A1 A2 B1 B2 C1 (C1 starts on 01-31, so it is January's)
          sessions_per_active_user: 5 / 3,
          avg_session_minutes: (30 + 0 + 120 + 0 + 50) / 5, // = 40
          minutes_per_active_day: (30 + 0 + 120 + 0 + 50) / 3, // pairs (a, 01-10) (b, 01-10) (c, 01-31)
          is_partial_period: false,
        },
        {
          month: '2024-02-01',
          monthly_active_customers: '2', // c, d
          avg_daily_active_customers: 4 / 29, // 02-01 {c} 02-05 {d} 02-06 {d} 02-07 {d}: 4 over 29 days
          days_counted: '29',
          dau_mau: 4 / 29 / 2,
          events: '7', // c2 c3 d1 d2 d3 d4 d5
          events_per_active_user: 7 / 2,
          logins_per_active_user: 1 / 2, // d1
          sessions: '3', // D1 D2 D3 (c's events here belong to C1, a January session)
          sessions_per_active_user: 3 / 2,
          avg_session_minutes: (2.5 + 20 + 0.5) / 3, // D1 150 s of durations (not 5 minutes), D2 last − first, D3 30 s
          // the minutes of February's sessions over February's pairs (c, 02-01) (d, 02-05) (d, 02-06) (d, 02-07)
          minutes_per_active_day: (2.5 + 20 + 0.5) / 4,
          is_partial_period: false,
        },
        {
          month: '2024-03-01', // no events
          monthly_active_customers: '0',
          avg_daily_active_customers: 0,
          days_counted: '31',
          dau_mau: null,
          events: '0',
          events_per_active_user: null, // 0 active users
          logins_per_active_user: null,
          sessions: '0',
          sessions_per_active_user: null,
          avg_session_minutes: null, // no sessions
          minutes_per_active_day: null, // no (customer, day) pairs
          is_partial_period: false,
        },
        {
          month: '2024-04-01', // 04-01..04-15; e1 on 04-16 is after the as-of date
          monthly_active_customers: '1', // a
          avg_daily_active_customers: 1 / 15,
          days_counted: '15',
          dau_mau: 1 / 15 / 1,
          events: '1', // a4
          events_per_active_user: 1,
          logins_per_active_user: 1, // a4
          sessions: '1', // A3
          sessions_per_active_user: 1,
          avg_session_minutes: 0, // one event, no duration
          minutes_per_active_day: 0, // 0 minutes over the pair (a, 04-01)
          is_partial_period: true,
        },
      ],
      ['month'],
    );
  });

  it('takes session_gap_minutes and login_event from the settings', async () => {
    // Gap 31: a3 (31 minutes after a2) joins A1 → A1 = 10:00..11:01 = 61 minutes; January has 4 sessions.
    // Logins are page_view events: January b2 a3 → 2; February c3 d3 d5 → 3.
    const { rows } = await buildTable('engagement_monthly_v2', {
      asOf: AS_OF,
      staging: { events: EVENTS },
      settings: { session_gap_minutes: 31, login_event: 'page_view' },
    });
    const [january, february] = rows;
    expect(january).toMatchObject({ sessions: '4', logins_per_active_user: 2 / 3 });
    expect(january!.avg_session_minutes).toBeCloseTo((61 + 120 + 0 + 50) / 4, 9);
    expect(february).toMatchObject({ sessions: '3', logins_per_active_user: 3 / 2 });
    // Gap 24: every gap-rule gap above is ≥ 25 → each event without a session_id is a session of its own.
    // January: a1 a2 a3 b2 c1 (0 each) + B1 (120, by its id) = 6; February: c2 c3 (0) + D1 D2 D3 (2.5, 20, 0.5) = 5.
    const split = await buildTable('engagement_monthly_v2', { asOf: AS_OF, staging: { events: EVENTS }, settings: { session_gap_minutes: 24 } });
    expect(split.rows[0]).toMatchObject({ sessions: '6', avg_session_minutes: 120 / 6 });
    expect(split.rows[1]).toMatchObject({ sessions: '5' });
    expect(split.rows[1]!.avg_session_minutes).toBeCloseTo((2.5 + 20 + 0.5) / 5, 9);
  });

  it('counts events at the same time in one session, and one session_id per customer', async () => {
    // f: 10:00, 10:40 twice (two names; 40 > 30 → a new session holding both), 11:00 (20 after) → 2 sessions: 0 and 20 minutes.
    // g and h share the session id 'same': two sessions, one per customer.
    const { rows } = await buildTable('engagement_monthly_v2', {
      asOf: '2024-01-31',
      staging: {
        events: [
          event('f', 'login', '2024-01-10 10:00:00'),
          event('f', 'page_view', '2024-01-10 10:40:00'),
          event('f', 'search', '2024-01-10 10:40:00'),
          event('f', 'page_view', '2024-01-10 11:00:00'),
          event('g', 'login', '2024-01-11 10:00:00', 'same'),
          event('h', 'login', '2024-01-11 10:05:00', 'same'),
        ],
      },
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ events: '6', sessions: '4' }); // f: 2, g: 1, h: 1
    expect(rows[0]!.avg_session_minutes).toBeCloseTo((0 + 20 + 0 + 0) / 4, 9);
  });
});

describe('feature_adoption_monthly (as-of 2024-04-15)', () => {
  it('one row per key feature and month: adopters among the active users, once per customer', async () => {
    // key_features lists wishlist_add twice: one feature. MAU per month: January {a, b, c}, February {c, d}, March none, April {a}.
    const built = await buildTable('feature_adoption_monthly_v1', {
      asOf: AS_OF,
      staging: { events: EVENTS },
      settings: { key_features: ['wishlist_add', 'feature_x', 'wishlist_add'] },
    });
    expect(built.types).toEqual({
      month: 'DATE',
      feature: 'VARCHAR',
      monthly_active_customers: 'BIGINT',
      adopters: 'BIGINT',
      adoption_rate: 'DOUBLE',
      is_partial_period: 'BOOLEAN',
    });
    expect(failingTests(built)).toEqual([]);
    const row = (month: string, feature: string, mau: number, adopters: number, adoption_rate: number | null, is_partial_period = false) => ({
      month,
      feature,
      monthly_active_customers: String(mau),
      adopters: String(adopters),
      adoption_rate,
      is_partial_period,
    });
    expectRows(
      built.rows,
      [
        row('2024-01-01', 'feature_x', 3, 0, 0), // feature_x first used on 02-01
        row('2024-01-01', 'wishlist_add', 3, 2, 2 / 3), // a2, b3
        row('2024-02-01', 'feature_x', 2, 2, 2 / 2), // c2; d2 and d4 (d counts once)
        row('2024-02-01', 'wishlist_add', 2, 0, 0),
        row('2024-03-01', 'feature_x', 0, 0, null), // no active users: rate NULL
        row('2024-03-01', 'wishlist_add', 0, 0, null),
        row('2024-04-01', 'feature_x', 1, 0, 0, true),
        row('2024-04-01', 'wishlist_add', 1, 0, 0, true),
      ],
      ['month', 'feature'],
    );
  });

  it('has no rows without key features (the default)', async () => {
    const built = await buildTable('feature_adoption_monthly_v1', { asOf: AS_OF, staging: { events: EVENTS } });
    expect(built.rows).toEqual([]);
    expect(failingTests(built)).toEqual([]);
  });

  it("matches a key feature's name exactly, quotes included", async () => {
    const built = await buildTable('feature_adoption_monthly_v1', {
      asOf: '2024-01-31',
      staging: { events: [event('a', "it's done", '2024-01-10 10:00:00'), event('b', 'login', '2024-01-10 10:00:00'), event('c', "It's done", '2024-01-10 10:00:00')] },
      settings: { key_features: ["it's done"] },
    });
    expect(built.rows).toEqual([
      { month: '2024-01-01', feature: "it's done", monthly_active_customers: '3', adopters: '1', adoption_rate: 1 / 3, is_partial_period: false },
    ]);
  });
});

describe('events export with sessions and durations', () => {
  it('stages session_id and duration_seconds, optional, and rejects a negative duration', async () => {
    const { reports, staged, rejects } = await stageExports({
      'inbox/events/events.csv': csv(
        'customer_id,event_name,occurred_at,session_id,duration_seconds',
        'a,login,2024-01-10 10:00:00,s1,12.5',
        'a,page_view,2024-01-10 10:01:00,,',
        'b,login,2024-01-10 10:02:00,s2,-1',
      ),
      'inbox/events/old.csv': csv('customer_id,event_name,occurred_at', 'c,login,2024-01-11 08:00:00'),
    });
    expect(reports.map((r) => [r.rows_in, r.rows_rejected])).toEqual([
      [3, 1],
      [1, 0],
    ]);
    expect(staged.events).toEqual([
      { customer_id: 'a', event_name: 'login', occurred_at: '2024-01-10 10:00:00', session_id: 's1', duration_seconds: '12.50' },
      { customer_id: 'a', event_name: 'page_view', occurred_at: '2024-01-10 10:01:00', session_id: null, duration_seconds: null },
      { customer_id: 'c', event_name: 'login', occurred_at: '2024-01-11 08:00:00', session_id: null, duration_seconds: null },
    ]);
    expect(rejects.events).toHaveLength(1);
  });
});

describe('events staged by a version without session_id and duration_seconds', () => {
  it('read as NULL: sessions come from the gap rule', async () => {
    // Prepare: a run stages the events; then the staging file is rewritten without the two columns, as the older version wrote it
    const { dir, lake, put } = tempLake();
    put('inbox/events/events.csv', csv('customer_id,event_name,occurred_at', 'a,login,2024-01-10 10:00:00', 'a,login,2024-01-10 10:20:00'));
    expect((await run(lake, { asOf: '2024-01-31' })).status).toBe('succeeded');
    const [file] = readdirSync(join(dir, 'staging/events'));
    const path = sqlString(join(dir, 'staging/events', file!));
    const old = sqlString(join(dir, 'old.parquet'));
    await query(`copy (select * exclude (session_id, duration_seconds) from read_parquet(${path})) to ${old} (format parquet)`);
    await query(`copy (select * from read_parquet(${old})) to ${path} (format parquet)`);
    expect((await query(`select * from read_parquet(${path})`))[0]).not.toHaveProperty('session_id');

    // Act
    const manifest = await run(lake, { asOf: '2024-01-31' });

    // Assess: one session of a (20 minutes apart), 20 minutes long
    expect(manifest.error).toBeUndefined();
    const published = sqlString(join(dir, 'metrics/engagement_monthly/v2/data.parquet'));
    expect(await query(`select events, sessions, avg_session_minutes from read_parquet(${published})`)).toEqual([
      { events: '2', sessions: '1', avg_session_minutes: 20 },
    ]);
  }, 60_000);
});
