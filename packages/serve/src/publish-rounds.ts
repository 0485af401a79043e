import type { Socket } from 'node:net';
import { JoinWait } from '@prevention/core';

/**
 * Rounds of publishes from clients in a loop: a client just answered sends its next publish
 * about a millisecond later, after the next commit has already started without it. A publish
 * therefore waits (for at most the join wait) until the clients just answered on its file have
 * sent theirs, and they all go into one commit (see {@link JoinWait}). Clients are told apart by
 * their connection, which the client keeps alive between requests.
 */
export class PublishRounds {
  private readonly rounds = new Map<string, JoinWait<Socket>>();
  private readonly watched = new WeakSet<Socket>();

  constructor(private readonly joinWaitMs: number) {}

  /** Resolves when a publish of `client` to `file` may go to the bus. */
  arrived(file: string, client: Socket): Promise<void> | undefined {
    const round = this.roundOf(file, client);
    round.arrived(client);
    return round.next();
  }

  /** `client` has its answer: its next publish is on its way. */
  answered(file: string, client: Socket): void {
    this.roundOf(file, client).answered(client);
  }

  private roundOf(file: string, client: Socket): JoinWait<Socket> {
    let round = this.rounds.get(file);
    if (!round) this.rounds.set(file, (round = new JoinWait<Socket>(this.joinWaitMs)));
    if (!this.watched.has(client)) {
      this.watched.add(client);
      client.once('close', () => {
        for (const each of this.rounds.values()) each.gone(client);
      });
    }
    return round;
  }
}
