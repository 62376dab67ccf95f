/**
 * The declared schema the ETL engine validates and transforms rows with. A schema is data plus a
 * few functions: replace functions/etl/schema.ts with your own, the engine stays as it is.
 */
export type ColumnType = 'string' | 'integer' | 'decimal' | 'boolean' | 'date' | 'datetime' | 'email' | 'enum';

export interface ColumnRule {
  type: ColumnType;
  required?: boolean;
  /** Name of the attribute in DynamoDB (default: the CSV header). */
  attribute?: string;
  minLength?: number;
  maxLength?: number;
  pattern?: RegExp;
  min?: number;
  max?: number;
  /** For type enum: allowed values (compared case-insensitively, stored as declared). */
  values?: readonly string[];
  /** For type string: how to normalise case. */
  case?: 'lower' | 'upper';
}

export type Item = Record<string, string | number | boolean>;

export interface CsvSchema {
  /** Short name, used in metrics and reports. */
  name: string;
  columns: Record<string, ColumnRule>;
  /** Columns a file must have in its header row (default: the required ones). */
  requiredHeaders?: readonly string[];
  /** Derives the table key attributes from the converted row. */
  key: (item: Item) => Item;
  /** Rows to leave out on purpose (counted as filtered, not rejected). */
  filter?: (item: Item) => boolean;
  /** Extra attributes computed from the converted row. */
  derive?: (item: Item) => Item;
}
