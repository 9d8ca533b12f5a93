import { parseArgs } from 'node:util';
import { errorMessage } from '../core/errors.js';
import { LakePrefix } from '../core/lake/lake-layout.js';
import { openLake } from '../core/lake/open-lake.js';
import { runPipeline } from '../core/pipeline/run-pipeline.js';
import { DEFAULT_CHURN_WINDOW_DAYS } from '../core/settings-defaults.js';
import { writeDemoInbox } from '../demo/index.js';
import { writeReport } from '../report/write-report.js';
import { printRunReport, readReportTables, type ReportTables } from './run-report.js';

const USAGE = `loyaltylake — customer exports in, loyalty metric tables out

Usage:
  loyaltylake run  --lake <dir> [--as-of YYYY-MM-DD] [--churn-window-days N]
  loyaltylake demo [--lake <dir>]     writes a sample inbox (default ./demo-lake) and runs on it
  loyaltylake report --lake <dir> [--out <file>]
                                      writes the HTML report of the published tables (default: report/index.html in the lake)

Options:
  --lake                a local folder or s3://bucket[/prefix] laid out as a lake (${LakePrefix.inbox}, ${LakePrefix.staging}, ${LakePrefix.metrics}, …)
  --as-of               last date counted (default: date of the latest completed order)
  --churn-window-days   days without an order after which a customer counts as churned (default ${DEFAULT_CHURN_WINDOW_DAYS})
  --memory-limit        DuckDB memory limit, e.g. 2GB (default: DuckDB's, 80% of RAM)
`;

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  try {
    const { values } = parseArgs({
      args: rest,
      options: {
        lake: { type: 'string' },
        'as-of': { type: 'string' },
        'churn-window-days': { type: 'string' },
        'memory-limit': { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
    if (values.help || command === undefined || command === 'help' || command === '--help') {
      process.stdout.write(USAGE);
      return;
    }
    if (command === 'report') {
      if (!values.lake) throw new Error(`report needs --lake <dir>\n\n${USAGE}`);
      const report = await writeReport({ lake: openLake(values.lake), out: values.out, memoryLimit: values['memory-limit'] });
      console.log(`report: ${report.open}`);
      return;
    }
    if (command !== 'run' && command !== 'demo') throw new Error(`unknown command '${command}'\n\n${USAGE}`);
    const location = values.lake ?? (command === 'demo' ? 'demo-lake' : undefined);
    if (!location) throw new Error(`run needs --lake <dir>\n\n${USAGE}`);
    const lake = openLake(location);
    if (command === 'demo') {
      const demo = await writeDemoInbox(location, { seed: values.seed ? Number(values.seed) : undefined });
      console.log(`demo: wrote ${demo.files} files (${demo.orders.toLocaleString('en-US')} order rows, ${demo.customers.toLocaleString('en-US')} customers) to ${location}/${LakePrefix.inbox}`);
    }
    const churn = values['churn-window-days'];
    const started = performance.now();
    let tables: ReportTables | undefined;
    const manifest = await runPipeline({
      lake,
      asOf: values['as-of'],
      churnWindowDays: churn === undefined ? undefined : Number(churn),
      memoryLimit: values['memory-limit'],
      onProgress: (line) => console.log(`  ${line}`),
      readPublished: async (db, published) => {
        tables = await readReportTables(db, published);
      },
    });
    await printRunReport(lake, manifest, performance.now() - started, tables);
    if (manifest.status === 'succeeded') {
      // The report shows what was published: written only after a successful publish, and never fails the run.
      try {
        console.log(`\nreport: ${(await writeReport({ lake, memoryLimit: values['memory-limit'] })).open}`);
      } catch (error) {
        console.log(`\nreport: could not be written (${errorMessage(error)}); the tables are published`);
      }
    }
    // 3: another run holds the lake (nothing was done; run again later), 1: the run failed.
    if (manifest.status === 'blocked') process.exitCode = 3;
    else if (manifest.status !== 'succeeded') process.exitCode = 1;
  } catch (error) {
    console.error(`loyaltylake: ${errorMessage(error)}`);
    process.exitCode = 2;
  }
}
