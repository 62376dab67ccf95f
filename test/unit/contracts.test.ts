import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import etl from '../../functions/etl/contract.json';
import { schema } from '../../functions/etl/schema';
import notes from '../../functions/notes/contract.json';
import { noteInputSchema } from '../../functions/notes/note';
import storageFirst from '../../functions/storage-first/contract.json';
import streamingEvents from '../../functions/streaming-events/contract.json';
import { MAX_MESSAGE_DEPTH } from '../../functions/storage-first/message';

// What Terraform and the handlers must agree on is written once, in functions/<pipeline>/contract.json.
describe('pipeline contracts', function () {
  for (const pipeline of ['storage-first', 'etl', 'notes', 'reliable-messaging', 'streaming-events']) {
    it(`${pipeline}: the Terraform pipeline reads its contract.json`, function () {
      const main = readFileSync(join('infra/pipelines', pipeline, 'main.tf'), 'utf8');
      expect(main).to.include(`jsondecode(file("\${path.module}/../../../functions/${pipeline}/contract.json"))`);
    });
  }

  it('etl: the schema keys rows by the table keys the contract names', function () {
    const key = schema.key({ order_id: 'ORD-0001', line: 1 });
    expect(Object.keys(key).sort()).to.deep.equal([etl.table.partitionKey, etl.table.sortKey].sort());
  });

  it('etl: the S3 prefixes are distinct folders', function () {
    const prefixes = Object.values(etl.prefixes);
    expect(new Set(prefixes).size).to.equal(prefixes.length);
    for (const prefix of prefixes) expect(prefix).to.match(/^[a-z0-9-]+\/$/);
  });

  it('etl: Terraform keeps no prefix or key of its own', function () {
    const main = readFileSync('infra/pipelines/etl/main.tf', 'utf8');
    const code = main.replace(/^\s*#.*$/gm, '').replace(/reason\s*=\s*".*"/g, '').replace(/description\s*=\s*".*"/g, '');
    for (const literal of [...Object.values(etl.prefixes), `"${etl.table.partitionKey}"`, etl.metricNamespace]) {
      expect(code, literal).not.to.include(literal);
    }
  });

  it('notes: the function refuses exactly what the API model refuses at the length limits', function () {
    const { title, content } = notes.noteInputSchema.properties;
    const at = (n: number) => 'x'.repeat(n);
    expect(noteInputSchema.safeParse({ content: at(content.maxLength) }).success).to.equal(true);
    expect(noteInputSchema.safeParse({ content: at(content.maxLength + 1) }).success).to.equal(false);
    expect(noteInputSchema.safeParse({ content: at(content.minLength - 1) }).success).to.equal(false);
    expect(noteInputSchema.safeParse({ content: 'a', title: at(title.maxLength) }).success).to.equal(true);
    expect(noteInputSchema.safeParse({ content: 'a', title: at(title.maxLength + 1) }).success).to.equal(false);
    expect(noteInputSchema.safeParse({ content: 'a', other: 1 }).success, 'additionalProperties: false').to.equal(false);
    expect(noteInputSchema.safeParse({ title: 'no content' }).success, 'required: content').to.equal(false);
  });

  it('streaming-events: Terraform keeps no prefix, key, source, detail-type or metric name of its own', function () {
    const code = ['main.tf', 'outputs.tf']
      .map((file) => readFileSync(join('infra/pipelines/streaming-events', file), 'utf8'))
      .join('\n')
      .replace(/^\s*#.*$/gm, '')
      .replace(/description\s*=\s*".*"/g, '');
    const { lake, table, eventBridge, consumer, metricNamespace, metrics } = streamingEvents;
    for (const literal of [lake.prefix, lake.errorOutputPrefix, '"events/', '"errors/', `"${table.partitionKey}"`, `"${table.sortKey}"`, eventBridge.source, consumer.detailType, metricNamespace, ...Object.values(metrics)]) {
      expect(code, literal).not.to.include(literal);
    }
  });

  it('streaming-events: the lake prefixes are ones Firehose accepts', function () {
    const { prefix, errorOutputPrefix } = streamingEvents.lake;
    // Expressions in the prefix need an error prefix, which with expressions must name the error output type.
    expect(errorOutputPrefix).to.include('!{firehose:error-output-type}');
    for (const p of [prefix, errorOutputPrefix]) {
      expect(p).to.match(/\/$/);
      expect(p).not.to.match(/^\//);
      expect(p.length).to.be.at.most(1024);
    }
    expect(prefix.split('/')[0]).not.to.equal(errorOutputPrefix.split('/')[0]);
  });

  it('storage-first: the processor checks the depth the API checks', function () {
    expect(MAX_MESSAGE_DEPTH).to.equal(storageFirst.maxBodyDepth);
  });
});
