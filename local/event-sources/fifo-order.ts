import type { Message } from '@aws-sdk/client-sqs';

/**
 * Per-group order for a FIFO queue, as Lambda's FIFO integration keeps it: a group whose earliest
 * message failed is not handed out again until that message is back, and then in sequence order.
 *
 * Why the poller keeps it itself: moto locks a group while one of its messages is in flight, but when
 * several messages of a group become visible again together (after a failed batch), it hands out the
 * last one first (it unlocks the group only while looking at the last). So after an invocation the
 * poller leaves only each group's earliest undeleted message in flight (the head) and makes the later
 * ones visible at once: the head's lock holds them back, and when the head comes back they follow it
 * in order. Should a group still arrive without its head, those messages go back to the queue unseen.
 * Order is the order a message was first received in (moto's SequenceNumbers are random digits;
 * a never-received message was never in flight, so it arrives in send order).
 */
export interface FifoGroupOrderOptions {
  /** The queue's redrive maxReceiveCount: a head received that often goes to the DLQ, not back. */
  maxReceiveCount?: number;
  /** After this long a head that never came back (purged, moved away) stops holding its group. */
  headTimeoutMs: number;
  now?: () => number;
}

interface Head {
  messageId: string;
  since: number;
}

const groupOf = (m: Message) => m.Attributes?.MessageGroupId ?? '';

export class FifoGroupOrder {
  private readonly heads = new Map<string, Head>();
  /** First-receive position of every message not yet deleted. */
  private readonly ranks = new Map<string, number>();
  private nextRank = 0;
  private readonly now: () => number;

  constructor(private readonly options: FifoGroupOrderOptions) {
    this.now = options.now ?? Date.now;
  }

  private rank(m: Message): number {
    if (!this.ranks.has(m.MessageId!)) this.ranks.set(m.MessageId!, this.nextRank++);
    return this.ranks.get(m.MessageId!)!;
  }

  private readonly byRank = (a: Message, b: Message) => this.rank(a) - this.rank(b);

  /** The groups that wait for their head, and the head's message id. */
  waiting(): Record<string, string> {
    return Object.fromEntries([...this.heads].map(([group, head]) => [group, head.messageId]));
  }

  /**
   * Splits a receive into what to hand to the function (each group's messages in sequence order, in
   * the places the group had in the receive) and what to make visible again unseen (a group whose
   * head is still away).
   */
  admit(messages: readonly Message[]): { deliver: Message[]; release: Message[] } {
    for (const m of messages) this.rank(m);
    const byGroup = new Map<string, Message[]>();
    for (const m of messages) byGroup.set(groupOf(m), [...(byGroup.get(groupOf(m)) ?? []), m]);
    const held = new Set<string>();
    for (const [group, members] of byGroup) {
      const head = this.heads.get(group);
      if (!head) continue;
      if (members.some((m) => m.MessageId === head.messageId) || this.now() - head.since > this.options.headTimeoutMs) this.heads.delete(group);
      else held.add(group);
    }
    const sorted = new Map([...byGroup].map(([group, members]) => [group, [...members].sort(this.byRank)]));
    const deliver: Message[] = [];
    const release: Message[] = [];
    for (const m of messages) {
      const group = groupOf(m);
      const next = sorted.get(group)!.shift()!;
      (held.has(group) ? release : deliver).push(next);
    }
    return { deliver, release };
  }

  /**
   * After an invocation: of each group's messages left in the queue (failed or not reported done),
   * the earliest stays in flight as the group's head and the later ones are returned, to be made
   * visible now (the head's lock holds them back). A head at maxReceiveCount is not waited for: the
   * queue moves it to the DLQ when it would come back, and the group carries on.
   */
  settle(delivered: readonly Message[], kept: readonly Message[]): Message[] {
    for (const m of [...delivered, ...kept]) this.rank(m);
    const keptIds = new Set(kept.map((m) => m.MessageId));
    for (const m of delivered) {
      this.heads.delete(groupOf(m));
      if (!keptIds.has(m.MessageId)) this.ranks.delete(m.MessageId!);
    }
    const byGroup = new Map<string, Message[]>();
    for (const m of kept) byGroup.set(groupOf(m), [...(byGroup.get(groupOf(m)) ?? []), m]);
    const release: Message[] = [];
    for (const [group, members] of byGroup) {
      const [head, ...later] = [...members].sort(this.byRank);
      release.push(...later);
      const receives = Number(head!.Attributes?.ApproximateReceiveCount ?? '1');
      if (this.options.maxReceiveCount !== undefined && receives >= this.options.maxReceiveCount) {
        this.ranks.delete(head!.MessageId!);
        continue;
      }
      this.heads.set(group, { messageId: head!.MessageId!, since: this.now() });
    }
    return release;
  }
}

export const isFifoQueue = (queueUrlOrArn: string): boolean => queueUrlOrArn.endsWith('.fifo');
