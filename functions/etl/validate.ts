import { compiledSchema, type RowResult } from './compile-schema';
import type { CsvSchema } from './schema-types';

export { normaliseDate, normaliseDateTime, type RowResult } from './compile-schema';

/**
 * Checks that a header row carries every column the schema requires, each once: with a duplicate
 * name no one can tell which column the schema means (the reader keeps the later one as `name#<n>`).
 * Empty names are allowed: such a column cannot be addressed by the schema, like any extra column.
 */
export function headerProblems(schema: CsvSchema, header: string[]): string[] {
  const required = schema.requiredHeaders ?? Object.entries(schema.columns).filter(([, rule]) => rule.required).map(([name]) => name);
  const positions = new Map<string, number[]>();
  header.forEach((name, i) => positions.set(name, [...(positions.get(name) ?? []), i + 1]));
  const missing = required.filter((name) => !positions.has(name)).map((name) => `header: required column "${name}" is missing`);
  const duplicates = [...positions]
    .filter(([name, columns]) => name !== '' && columns.length > 1)
    .map(([name, columns]) => `header: column "${name}" appears ${columns.length} times (columns ${columns.join(', ')})`);
  return [...missing, ...duplicates];
}

/** Validates and converts one row (header -> raw text) and reports every problem, not just the first. */
export function validateRow(schema: CsvSchema, row: Record<string, string | undefined>): RowResult {
  return compiledSchema(schema).row(row);
}
