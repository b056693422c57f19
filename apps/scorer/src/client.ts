/**
 * A small typed client for the scoring server (Node 20's fetch). Errors carry the server's message
 * and status.
 */
import type { TextOrChat } from '@rewardkit/core';

export interface ScoreRequest {
  readonly prompt: TextOrChat;
  readonly responses: readonly TextOrChat[];
}

export class ScorerHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(`scorer answered ${status}: ${message}`);
  }
}

export class ScorerClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  /** Rewards of each response to one prompt. */
  async score(prompt: TextOrChat, responses: readonly TextOrChat[], normalize?: boolean): Promise<number[]> {
    const r = await this.post<{ rewards: number[] }>('/score', { prompt, responses, ...(normalize !== undefined ? { normalize } : {}) });
    return r.rewards;
  }

  /** Several prompts in one request; rewards per request, in order. */
  async scoreBatch(batch: readonly ScoreRequest[], normalize?: boolean): Promise<number[][]> {
    const r = await this.post<{ results: { rewards: number[] }[] }>('/score', { batch, ...(normalize !== undefined ? { normalize } : {}) });
    return r.results.map((x) => x.rewards);
  }

  /** The OpenRLHF route: full texts (prompt ++ response) and, optionally, their prompts. */
  async getReward(query: readonly string[], prompts?: readonly string[]): Promise<number[]> {
    return (await this.post<{ rewards: number[] }>('/get_reward', { query, ...(prompts ? { prompts } : {}) })).rewards;
  }

  async info(): Promise<Record<string, unknown>> {
    return this.request('GET', '/info');
  }

  async healthy(): Promise<boolean> {
    try {
      return (await this.request<{ ok: boolean }>('GET', '/healthz')).ok;
    } catch {
      return false;
    }
  }

  private post<T>(route: string, body: unknown): Promise<T> {
    return this.request('POST', route, body);
  }

  private async request<T>(method: string, route: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const res = await fetch(new URL(route, this.baseUrl), { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const json = (await res.json().catch(() => ({}))) as T & { error?: string };
    if (!res.ok) throw new ScorerHttpError(res.status, json.error ?? res.statusText);
    return json;
  }
}
