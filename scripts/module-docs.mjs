// Writes the inputs/outputs tables of every module and pipeline README from the Terraform code
// (via terraform-config-inspect), between the BEGIN/END markers. `--check` fails if one is stale.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const BEGIN = '<!-- BEGIN_TF_DOCS -->';
const END = '<!-- END_TF_DOCS -->';
const inspect = process.env.TF_CONFIG_INSPECT ?? join('.cache', 'bin', 'terraform-config-inspect');
const check = process.argv.includes('--check');

const dirs = ['infra/modules', 'infra/pipelines'].flatMap((parent) =>
  readdirSync(parent, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(parent, d.name)),
);

const cell = (text) => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (value) => (value === undefined ? '' : `\`${cell(JSON.stringify(value))}\``);

function tables(dir) {
  const module = JSON.parse(execFileSync(inspect, ['--json', dir], { encoding: 'utf8' }));
  const variables = Object.values(module.variables).sort((a, b) => a.name.localeCompare(b.name));
  const outputs = Object.values(module.outputs).sort((a, b) => a.name.localeCompare(b.name));
  return [
    '## Inputs',
    '',
    '| Name | Description | Type | Default | Required |',
    '|------|-------------|------|---------|:--------:|',
    ...variables.map((v) => `| ${v.name} | ${cell(v.description)} | \`${cell(v.type.replace(/\s+/g, ' '))}\` | ${v.required ? 'n/a' : code(v.default)} | ${v.required ? 'yes' : 'no'} |`),
    '',
    '## Outputs',
    '',
    '| Name | Description |',
    '|------|-------------|',
    ...outputs.map((o) => `| ${o.name} | ${cell(o.description)} |`),
  ].join('\n');
}

const stale = [];
for (const dir of dirs) {
  const readme = join(dir, 'README.md');
  if (!existsSync(readme)) {
    stale.push(`${readme} (missing)`);
    continue;
  }
  const text = readFileSync(readme, 'utf8');
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start < 0 || end < start) {
    stale.push(`${readme} (no ${BEGIN} ... ${END} markers)`);
    continue;
  }
  const updated = `${text.slice(0, start + BEGIN.length)}\n${tables(dir)}\n${text.slice(end)}`;
  if (updated === text) continue;
  if (check) stale.push(readme);
  else writeFileSync(readme, updated);
}

if (stale.length > 0) {
  console.error(`module docs out of date: ${stale.join(', ')}\nrun: make docs`);
  process.exit(1);
}
console.log(`module docs: ${dirs.length} READMEs ${check ? 'up to date' : 'written'}`);
