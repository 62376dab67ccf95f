import type { Target } from '@aws-sdk/client-eventbridge';

/** What a rule's target receives: the event itself, a constant (`Input`), a part (`InputPath`) or a template (`InputTransformer`). */
export interface RuleContext {
  ruleArn: string;
  ruleName: string;
}

export class InvalidTargetInputError extends Error {
  override name = 'InvalidTargetInputError';
}

/** `$`, `$.a.b`, `$.a[0].b`, `$['a-b']`: the JSONPath subset EventBridge accepts in InputPath and InputPathsMap. */
export function readPath(document: unknown, path: string): unknown {
  if (!path.startsWith('$')) throw new InvalidTargetInputError(`not a JSONPath: ${path}`);
  const steps: (string | number)[] = [];
  const pattern = /\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/gy;
  pattern.lastIndex = 1;
  while (pattern.lastIndex < path.length) {
    const at = pattern.lastIndex;
    const match = pattern.exec(path);
    if (!match) throw new InvalidTargetInputError(`unsupported JSONPath ${path} (at ${at})`);
    steps.push(match[2] !== undefined ? Number(match[2]) : (match[1] ?? match[3] ?? match[4])!);
  }
  let node: unknown = document;
  for (const step of steps) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[step];
  }
  return node;
}

/**
 * Renders an InputTemplate: `<name>` inside a JSON string literal is replaced by the value's text
 * (a string as is, anything else as JSON), escaped for that literal; outside one by the value as
 * JSON. A path that matches nothing renders as `null` (or as nothing inside a string).
 */
export function renderTemplate(template: string, values: Record<string, unknown>): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i += 1) {
    const char = template[i]!;
    if (inString && char === '\\') {
      out += char + (template[i + 1] ?? '');
      i += 1;
      continue;
    }
    if (char === '"') inString = !inString;
    const placeholder = char === '<' ? /^<([A-Za-z0-9_.-]+)>/.exec(template.slice(i)) : null;
    if (placeholder && Object.hasOwn(values, placeholder[1]!)) {
      const value = values[placeholder[1]!];
      if (inString) out += value === undefined ? '' : JSON.stringify(typeof value === 'string' ? value : JSON.stringify(value)).slice(1, -1);
      else out += value === undefined ? 'null' : JSON.stringify(value);
      i += placeholder[0].length - 1;
      continue;
    }
    out += char;
  }
  return out;
}

/** The JSON text the target receives for `event`, as EventBridge builds it from the target's input settings. */
export function targetInput(target: Pick<Target, 'Input' | 'InputPath' | 'InputTransformer'>, event: Record<string, unknown>, rule: RuleContext): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath !== undefined) return JSON.stringify(readPath(event, target.InputPath) ?? null);
  const transformer = target.InputTransformer;
  if (!transformer) return JSON.stringify(event);
  const values: Record<string, unknown> = {
    'aws.events.rule-arn': rule.ruleArn,
    'aws.events.rule-name': rule.ruleName,
    'aws.events.event.ingestion-time': event.time,
    // AWS: the event without its detail, inserted unescaped (only valid as a JSON value).
    'aws.events.event': Object.fromEntries(Object.entries(event).filter(([key]) => key !== 'detail')),
    'aws.events.event.json': event,
  };
  for (const [name, path] of Object.entries(transformer.InputPathsMap ?? {})) values[name] = readPath(event, path);
  return renderTemplate(transformer.InputTemplate ?? '', values);
}
