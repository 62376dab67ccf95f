import type { RedisCommands } from '../../../functions/reliable-messaging/redis';

/** In-memory stand-in for the three commands the cores use, with NX and EX recorded; `down` makes every command fail. */
export class FakeRedis {
  readonly values = new Map<string, Buffer>();
  readonly ttls = new Map<string, number>();
  readonly calls: string[] = [];
  down: Error | undefined;

  private check(command: string): void {
    this.calls.push(command);
    if (this.down) throw this.down;
  }

  commands(): RedisCommands {
    const commands = {
      set: async (key: string, value: Buffer, ex: 'EX', seconds: number, nx: 'NX') => {
        this.check('set');
        if (ex !== 'EX' || nx !== 'NX') throw new Error('the cores always SET with EX and NX');
        if (this.values.has(key)) return null;
        this.values.set(key, Buffer.from(value));
        this.ttls.set(key, seconds);
        return 'OK';
      },
      getBuffer: async (key: string) => {
        this.check('get');
        return this.values.get(key) ?? null;
      },
      del: async (key: string) => {
        this.check('del');
        return this.values.delete(key) ? 1 : 0;
      },
    };
    return commands as unknown as RedisCommands;
  }

  connection(): () => Promise<RedisCommands> {
    return async () => this.commands();
  }
}
