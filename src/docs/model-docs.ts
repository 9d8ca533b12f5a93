import { datasetContracts } from '../core/contracts/datasets.js';
import { presets } from '../core/contracts/presets.js';
import { STAGED_TYPE } from '../core/ingest/validate-sql.js';
import { LakeKeys } from '../core/lake/lake-layout.js';
import { dependencyOrder, loadModels, type ColumnTest } from '../core/models/model-declaration.js';
import { defaultModelsDir } from '../core/paths.js';

const START = '<!-- generated:models:start -->';
const END = '<!-- generated:models:end -->';

/** Markdown for every input dataset and model version, from their declarations. */
export function modelDocs(modelsDir = defaultModelsDir()): string {
  const lines: string[] = ['### Input datasets', ''];
  for (const dataset of datasetContracts) {
    lines.push(`#### \`${dataset.name}\` (primary key: ${dataset.primaryKey.join(', ')})`, '', dataset.description, '');
    lines.push('| column | type | required | description |', '|---|---|---|---|');
    for (const c of dataset.columns) {
      const type = c.type === 'enum' ? `one of ${c.values!.join(' / ')}` : `${c.type} → ${STAGED_TYPE[c.type]}`;
      const rules = [c.min !== undefined ? `≥ ${c.min}` : '', c.default !== undefined ? `default ${c.default}` : ''].filter(Boolean);
      lines.push(`| ${c.name} | ${type} | ${c.required ? 'yes' : 'no'} | ${c.description}${rules.length ? ` (${rules.join(', ')})` : ''} |`);
    }
    for (const check of dataset.rowChecks) lines.push('', `Row rule: \`${check.sql}\`, else rejected as "${check.reason}".`);
    lines.push('');
  }
  lines.push('### Export presets', '', `A vendor export dropped under \`${LakeKeys.inboxFolder('<preset>')}\` is mapped to its dataset (declarations in \`sql/presets/\`).`, '');
  for (const preset of presets) {
    lines.push(`#### \`${preset.preset}\` → \`${preset.dataset}\``, '', preset.description, '');
    if (preset.group_by) lines.push(`Rows grouped by \`${preset.group_by}\`, each column taken from the group's first row.`, '');
    lines.push('| column | from the export |', '|---|---|');
    for (const [column, expression] of Object.entries(preset.columns)) {
      lines.push(`| ${column} | \`${expression.replace(/\s+/g, ' ').trim().replaceAll('|', '\\|')}\` |`);
    }
    lines.push('');
  }
  lines.push('### Models', '');
  for (const model of dependencyOrder(loadModels(modelsDir))) {
    const where = model.publish ? `\`${LakeKeys.metricsFolder(model.model, model.version)}\`` : 'internal, not published';
    lines.push(`#### \`${model.model}\` v${model.version} — ${where}`, '');
    lines.push(model.description, '');
    const reads = [...model.requires.map((d) => `stg_${d}`), ...model.dependsOn].join(', ') || '–';
    const optional = [...model.optionalRequires.map((d) => `stg_${d}`), ...model.optionalDependsOn];
    const step = model.step ? ` Built by the step \`${model.step.name}\` v${model.step.version}.` : '';
    lines.push(`Grain: ${model.grain.join(', ')}. Reads: ${reads}${optional.length ? `; when present: ${optional.join(', ')}` : ''}.${step}`, '');
    lines.push('| column | type | description | tests |', '|---|---|---|---|');
    for (const c of model.columns) {
      lines.push(`| ${c.name} | ${c.type} | ${c.description} | ${c.tests.map(describeTest).join(', ')} |`);
    }
    for (const test of model.tests) lines.push('', `Row test \`${test.name}\`: \`${test.expect}\`.`);
    lines.push('');
  }
  return lines.join('\n');
}

function describeTest(test: ColumnTest): string {
  if (typeof test === 'string') return test;
  if ('accepted_range' in test) return `range ${test.accepted_range.min ?? ''}..${test.accepted_range.max ?? ''}`;
  if ('accepted_values' in test) return `in (${test.accepted_values.join(', ')})`;
  return `→ ${test.relationships.to}.${test.relationships.field}`;
}

/** The README with its generated section replaced by `docs`. */
export function readmeWithDocs(readme: string, docs: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the ${START} … ${END} markers`);
  return `${readme.slice(0, start + START.length)}\n${docs}\n${readme.slice(end)}`;
}
