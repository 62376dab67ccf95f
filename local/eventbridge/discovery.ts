import { ListEventBusesCommand, ListRulesCommand, ListTargetsByRuleCommand, type EventBridgeClient, type Rule, type Target } from '@aws-sdk/client-eventbridge';
import { parseEventPattern, type EventPattern } from './pattern';
import { parseSchedule, type Schedule } from './schedule';

/** One rule as the emulator holds it, with its targets and its parsed pattern or schedule. */
export interface DiscoveredRule {
  busName: string;
  name: string;
  arn: string;
  enabled: boolean;
  targets: Target[];
  pattern?: EventPattern;
  schedule?: Schedule;
  /** Why the rule cannot be run locally (a pattern or schedule we cannot parse), if so. */
  problem?: string;
}

async function allPages<T>(fetchPage: (token: string | undefined) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    items.push(...page.items);
    token = page.next;
  } while (token);
  return items;
}

/** Every rule on every bus (ListEventBuses, ListRules, ListTargetsByRule); `origin` anchors rate() schedules. */
export async function discoverRules(client: EventBridgeClient, origin: number): Promise<DiscoveredRule[]> {
  const buses = await allPages(async (NextToken) => {
    const page = await client.send(new ListEventBusesCommand({ NextToken }));
    return { items: page.EventBuses ?? [], next: page.NextToken };
  });
  const rules: DiscoveredRule[] = [];
  for (const bus of buses) {
    const busName = bus.Name!;
    const busRules = await allPages<Rule>(async (NextToken) => {
      const page = await client.send(new ListRulesCommand({ EventBusName: busName, NextToken }));
      return { items: page.Rules ?? [], next: page.NextToken };
    });
    for (const rule of busRules) {
      const targets = await allPages<Target>(async (NextToken) => {
        const page = await client.send(new ListTargetsByRuleCommand({ Rule: rule.Name, EventBusName: busName, NextToken }));
        return { items: page.Targets ?? [], next: page.NextToken };
      });
      const discovered: DiscoveredRule = { busName, name: rule.Name!, arn: rule.Arn!, enabled: rule.State === undefined || rule.State.startsWith('ENABLED'), targets };
      try {
        if (rule.EventPattern) discovered.pattern = parseEventPattern(rule.EventPattern);
        if (rule.ScheduleExpression) discovered.schedule = parseSchedule(rule.ScheduleExpression, origin);
      } catch (error) {
        discovered.problem = (error as Error).message;
      }
      rules.push(discovered);
    }
  }
  return rules;
}
