import type { HubClient } from '../hub-client.js';

/**
 * An agent's token with its timed rotation: past half its life the keeper asks the hub for a
 * fresh one (`POST /ops-agents/:name/token/rotate`, which revokes the current one) and hands it
 * to the client. A token that expired meanwhile cannot rotate: the hub answers 401 and the runner
 * exits so the hub starts it again with a newly minted token.
 */
export class TokenKeeper {
  private issuedAt: number;
  private expiresAt: number;

  constructor(
    private readonly hub: HubClient,
    readonly agent: string,
    expiresAt: string,
    private readonly now: () => number = Date.now,
  ) {
    this.issuedAt = now();
    this.expiresAt = Date.parse(expiresAt);
  }

  /** When the next rotation is due. */
  get rotateAt(): number {
    return this.issuedAt + (this.expiresAt - this.issuedAt) / 2;
  }

  /** Rotates when due; returns whether it did. */
  async fresh(): Promise<boolean> {
    if (this.now() < this.rotateAt) return false;
    const t = await this.hub.rotateToken(this.agent);
    this.hub.setToken(t.token);
    this.issuedAt = this.now();
    this.expiresAt = Date.parse(t.expiresAt);
    return true;
  }
}
