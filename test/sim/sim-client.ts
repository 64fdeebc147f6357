import { afterEach } from "vitest";
import type { Task } from "../../src/api/types.js";
import { startSimulator, type SimOptions, type Simulator } from "../../src/sim/index.js";

/** Starts simulators that are closed after each test, whatever the test did. */
export function simulators(): (options?: Partial<SimOptions>) => Promise<Simulator> {
  const open: Simulator[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  return async (options) => {
    const sim = await startSimulator({ genTimeMs: 150, jitterMs: 0, ...options });
    open.push(sim);
    return sim;
  };
}

export interface Answer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** A plain fetch client for the simulator's API, as a test would write it by hand. */
export function client(sim: Simulator, key: string | null = sim.apiKey) {
  const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
    "content-type": "application/json",
    ...(key === null ? {} : { authorization: `Bearer ${key}` }),
    ...extra,
  });
  const call = async <T>(path: string, init: RequestInit): Promise<Answer<T>> => {
    const res = await fetch(`${sim.url}${path}`, init);
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text === "" ? null : JSON.parse(text)) as T };
  };
  return {
    create: <T = Task>(body: unknown, extra: Record<string, string> = {}) =>
      call<T>("/v1/videos/generations", { method: "POST", headers: headers(extra), body: typeof body === "string" ? body : JSON.stringify(body) }),
    get: <T = Task>(id: string) => call<T>(`/v1/tasks/${id}`, { headers: headers() }),
    cancel: <T = Task>(id: string) => call<T>(`/v1/tasks/${id}/cancel`, { method: "POST", headers: headers() }),
    /** Polls every 10 ms until the task reaches one of `statuses`. */
    async until(id: string, ...statuses: Task["status"][]): Promise<Task> {
      for (;;) {
        const { body } = await call<Task>(`/v1/tasks/${id}`, { headers: headers() });
        if (statuses.includes(body.status)) return body;
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}

export const BASIC = { model: "seedance-1.5-pro", prompt: "A lighthouse at dusk, waves below" };

export async function bytesOf(res: Response): Promise<Buffer> {
  return Buffer.from(await res.arrayBuffer());
}
