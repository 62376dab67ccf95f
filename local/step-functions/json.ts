/** A JSON value, as states pass them (aws-local-stepfunctions does not export its own type). */
export type JSONValue = null | boolean | number | string | JSONValue[] | { [key: string]: JSONValue };
