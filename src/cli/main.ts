import { ConfigError, errorMessage } from '../core/errors.js';
import type { Lake } from '../core/lake/lake.js';
import { LakeKeys, LakePrefix } from '../core/lake/lake-layout.js';
import { openLake } from '../core/lake/open-lake.js';
import { runPipeline } from '../core/pipeline/run-pipeline.js';
import { DEFAULT_CHURN_WINDOW_DAYS } from '../core/settings-defaults.js';
import { writeDemoInbox } from '../demo/index.js';
import { writeReport } from '../report/write-report.js';
import { packageVersion, parseCommandLine, UsageError, type CommandLine } from './cli-options.js';
import { CONTROL_COMMANDS, CONTROL_USAGE, runControlCommand } from './control-commands.js';
import { LAKE_MARKERS, looksLikeALake } from './lake-guard.js';
import { printRunReport, readReportTables, type ReportTables } from './run-report.js';

const USAGE = `loyaltylake — customer exports in, loyalty metric tables out

Usage:
  loyaltylake run  --lake <dir> [--as-of YYYY-MM-DD] [--churn-window-days N] [--create] [--publish-current]
  loyaltylake demo [--lake <dir>] [--seed N]
                                      writes a sample inbox (default ./demo-lake) and runs on it
  loyaltylake report --lake <dir> [--out <file>]
                                      writes the HTML report of the published tables (default: report/index.html in the lake)
${CONTROL_USAGE}  loyaltylake --version | --help

Options:
  --lake                a local folder or s3://bucket[/prefix] laid out as a lake (${LakePrefix.inbox}, ${LakePrefix.staging}, ${LakePrefix.metrics}, …)
  --create              let run start a new lake where there is none yet (no ${LakePrefix.inbox}, no ${LakePrefix.runs}, no ${LakeKeys.settings});
                        without it such a --lake is refused, as it is most likely mistyped
  --as-of               last date counted (default: the date of the latest completed order, or of the latest
                        subscription start, survey response or event in a lake without orders)
  --publish-current     with an --as-of before the latest published one (a backfill): also replace the current
                        tables (default: a backfill writes history snapshots only)
  --churn-window-days   days without an order after which a customer counts as churned (default ${DEFAULT_CHURN_WINDOW_DAYS})
  --memory-limit        DuckDB memory limit, e.g. 2GB (default: DuckDB's, 80% of RAM)

Exit codes: 0 done, 1 the run failed (the manifest says why), 2 usage error, 3 another run holds the lake.
`;

/** Exit code of a command line the CLI cannot act on (nothing was done). */
const EXIT_USAGE = 2;

export async function main(argv: string[]): Promise<void> {
  try {
    const [command, ...rest] = argv;
    if ((CONTROL_COMMANDS as readonly string[]).includes(command ?? '')) {
      // A mistyped --lake must not be "withdrawn from" or "forgotten in" silently.
      const lake = lakeOption(rest);
      if (lake) await refuseUnlessLake(openLake(lake), command!);
      process.exitCode = await runControlCommand(command!, rest);
      return;
    }
    const line = parseCommandLine(argv);
    if (line.command === 'version') console.log(packageVersion());
    else if (line.command === 'help') process.stdout.write(USAGE);
    else if (line.command === 'report') await report(line);
    else await run(line);
  } catch (error) {
    const usage = error instanceof UsageError || error instanceof ConfigError;
    console.error(`loyaltylake: ${errorMessage(error)}${error instanceof UsageError && error.withUsage ? `\n\n${USAGE}` : ''}`);
    process.exitCode = usage ? EXIT_USAGE : 1;
  }
}

async function report(line: CommandLine): Promise<void> {
  if (!line.lake) throw new UsageError('report needs --lake <dir>');
  const lake = openLake(line.lake);
  // Written into the lake: a mistyped --lake would get a report of nothing.
  if (!line.out) await refuseUnlessLake(lake, 'report');
  const written = await writeReport({ lake, out: line.out, memoryLimit: line.memoryLimit });
  console.log(`report: ${written.open}`);
}

async function run(line: CommandLine): Promise<void> {
  const demo = line.command === 'demo';
  const location = line.lake ?? (demo ? 'demo-lake' : undefined);
  if (!location) throw new UsageError('run needs --lake <dir>');
  const lake = openLake(location);
  if (demo) {
    const written = await writeDemoInbox(location, { seed: line.seed });
    console.log(`demo: wrote ${written.files} files (${written.orders.toLocaleString('en-US')} order rows, ${written.customers.toLocaleString('en-US')} customers) to ${location}/${LakePrefix.inbox}`);
  } else if (!line.create) {
    await refuseUnlessLake(lake, 'run');
  }
  const started = performance.now();
  let tables: ReportTables | undefined;
  const manifest = await runPipeline({
    lake,
    asOf: line.asOf,
    churnWindowDays: line.churnWindowDays,
    memoryLimit: line.memoryLimit,
    publishCurrent: line.publishCurrent || undefined,
    onProgress: (message) => console.log(`  ${message}`),
    readPublished: async (db, published) => {
      tables = await readReportTables(db, published);
    },
  });
  await printRunReport(lake, manifest, performance.now() - started, tables);
  if (manifest.status === 'succeeded') {
    // The report shows what was published: written only after a successful publish, and never fails the run.
    try {
      console.log(`\nreport: ${(await writeReport({ lake, memoryLimit: line.memoryLimit })).open}`);
    } catch (error) {
      console.log(`\nreport: could not be written (${errorMessage(error)}); the tables are published`);
    }
  }
  // 3: another run holds the lake (nothing was done; run again later), 1: the run failed.
  if (manifest.status === 'blocked') process.exitCode = 3;
  else if (manifest.status !== 'succeeded') process.exitCode = 1;
}

/** A --lake with no inbox and no lake files is most likely mistyped: refuse rather than start a new lake there. */
/** The value of --lake (or --lake=…) among a control command's arguments, which that command parses itself. */
function lakeOption(args: readonly string[]): string | undefined {
  const index = args.indexOf('--lake');
  if (index >= 0) return args[index + 1];
  return args.find((arg) => arg.startsWith('--lake='))?.slice('--lake='.length);
}

async function refuseUnlessLake(lake: Lake, command: string): Promise<void> {
  if (await looksLikeALake(lake)) return;
  throw new UsageError(
    `${lake.uri} is no lake: it has no ${LakePrefix.inbox} and no lake files (${LAKE_MARKERS.filter((marker) => marker !== LakePrefix.inbox).join(', ')}).` +
      ` Check the path; to start a new lake there, ` +
      (command === 'run' ? `run again with --create (or drop exports in ${lake.uri}/${LakePrefix.inbox}<dataset>/ first)` : 'run `loyaltylake run --create` on it first'),
    { withUsage: false },
  );
}
