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
  /**
   * How the file's bytes are decoded (default 'utf-8'). With 'utf-8', a record whose bytes are not
   * valid UTF-8 is quarantined with the byte offset, never loaded with U+FFFD in place of what it said;
   * set 'latin1' (ISO-8859-1) for files exported that way.
   */
  encoding?: 'utf-8' | 'latin1';
  /**
   * Largest record in bytes, line break excluded (default 1 MiB). A longer record (often an unclosed
   * quote) is quarantined by its first line, truncated to this size if that line alone is longer,
   * and reading goes on at the next line. It bounds the reader's memory.
   */
  maxRecordBytes?: number;
}
