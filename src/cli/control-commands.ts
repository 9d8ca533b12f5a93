import { parseArgs } from 'node:util';
import { LakeBusyError } from '../core/control/control-lease.js';
import { forgetCustomer, type ForgetChange } from '../core/control/forget.js';
import { listTombstones } from '../core/control/tombstones.js';
import { undoWithdraw, withdrawFile } from '../core/control/withdraw.js';
import { errorMessage } from '../core/errors.js';
import { openLake } from '../core/lake/open-lake.js';

export const CONTROL_COMMANDS = ['withdraw', 'forget'] as const;

export const CONTROL_USAGE = `  loyaltylake withdraw <inbox key> --lake <dir> [--undo]
                                      never ingest that inbox file again; its rows leave the next build (--undo: ingest it again)
  loyaltylake withdraw --list --lake <dir>
                                      the withdrawn inbox files
  loyaltylake forget --customer <id> --lake <dir>
                                      remove a customer from the inbox files, staging, rejects, quarantine, tables and history
`;

/**
 * Runs `withdraw` or `forget` with the arguments after the command; prints what it did.
 * Exit code: 0 done, 1 failed or left something to do by hand (printed), 2 usage, 3 another run holds the lake.
 */
export async function runControlCommand(command: string, args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { lake: { type: 'string' }, undo: { type: 'boolean' }, list: { type: 'boolean' }, customer: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    return usage(errorMessage(error));
  }
  const { values, positionals } = parsed;
  if (!values.lake) return usage(`${command} needs --lake <dir>`);
  const lake = openLake(values.lake);
  try {
    if (command === 'withdraw') {
      if (values.customer !== undefined) return usage('withdraw takes an inbox key, not --customer');
      if (values.list) {
        if (positionals.length > 0 || values.undo) return usage('withdraw --list takes no key and no --undo');
        const tombstones = await listTombstones(lake);
        console.log(tombstones.length === 0 ? 'no inbox file is withdrawn' : tombstones.map((t) => `${t.inbox_key}  (withdrawn ${t.withdrawn_at})`).join('\n'));
        return 0;
      }
      if (positionals.length !== 1) return usage(`withdraw takes one inbox key, got ${positionals.length}`);
      const key = positionals[0]!;
      if (!key.startsWith('inbox/') || key.endsWith('/')) return usage(`withdraw takes the key of a file in the inbox, e.g. inbox/orders/2024.csv, got '${key}'`);
      const result = values.undo ? await undoWithdraw(lake, key) : await withdrawFile(lake, key);
      const inbox = result.in_inbox ? '' : ` (no file is at ${key} now)`;
      if (result.action === 'restored') console.log(`withdraw undone: ${key} is ingested again by the next run${inbox}`);
      else if (result.action === 'was_not_withdrawn') console.log(`${key} was not withdrawn: nothing to undo`);
      else {
        console.log(`${result.action === 'withdrawn' ? 'withdrawn' : 'already withdrawn'}: ${key} is never ingested again (${result.tombstone}; undo with --undo)${inbox}`);
        for (const removed of result.removed) console.log(`  removed ${removed}`);
        console.log(result.removed.length > 0 ? '  its rows leave the tables at the next run' : '  nothing of it was staged');
      }
      return 0;
    }
    if (command === 'forget') {
      if (positionals.length > 0 || values.undo || values.list) return usage('forget takes only --customer <id> and --lake');
      if (values.customer === undefined) return usage('forget needs --customer <id>');
      const result = await forgetCustomer({ lake, customerId: values.customer });
      const areas = ['inbox', 'staging', 'rejects', 'quarantine', 'metrics', 'history', 'report'] as const;
      for (const area of areas) for (const change of result[area]) console.log(`  ${area.padEnd(10)} ${describe(change)}`);
      const changed = areas.reduce((n, area) => n + result[area].length, 0);
      console.log(changed === 0 ? 'forget: the customer is in none of the lake\'s files' : `forget: ${changed} objects changed; the next run rebuilds the tables without the customer`);
      console.log(`  recorded in ${result.record} (that a forget happened, not whom)`);
      if (result.unresolved.length === 0) return 0;
      console.log(`\n!! forget is NOT complete: ${result.unresolved.length} file(s) still hold the customer and need you:`);
      for (const { key, reason } of result.unresolved) console.log(`!!   ${key}: ${reason}`);
      return 1;
    }
    return usage(`unknown command '${command}'`);
  } catch (error) {
    if (error instanceof LakeBusyError) {
      console.error(`loyaltylake: ${error.message}: nothing was changed, try again once it has finished`);
      return 3;
    }
    console.error(`loyaltylake: ${errorMessage(error)}`);
    return 1;
  }
}

function describe(change: ForgetChange): string {
  if (change.removed) return `${change.key}: removed`;
  if (change.to && change.to !== change.key) return `${change.key} → ${change.to}: rewritten without the customer`;
  return `${change.key}: rewritten without the customer`;
}

function usage(problem: string): number {
  console.error(`loyaltylake: ${problem}\n\nUsage:\n${CONTROL_USAGE}`);
  return 2;
}
