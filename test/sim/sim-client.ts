import { afterEach } from "vitest";
import type { Task } from "../../src/api/types.js";
import type { TaskListItem } from "../../src/sim/tasks.js";
import { startSimulator, type SimOptions, type Simulator } from "../../src/sim/index.js";
import { ManualClock } from "../helpers/manual-clock.js";

/** Generation time of the simulators these tests start, unless a test sets its own. */
export const GEN_MS = 150;

/** A simulator whose time moves only when the test advances its clock. */
export interface TestSim extends Simulator {
  clock: ManualClock;
}

/** Starts simulators on a manual clock, closed after each test whatever the test did. */
export function simulators(): (options?: Partial<Omit<SimOptions, "clock">>) => Promise<TestSim> {
  const open: Simulator[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  return async (options) => {
    const clock = new ManualClock();
    const sim = await startSimulator({ genTimeMs: GEN_MS, jitterMs: 0, ...options, clock });
    open.push(sim);
    return Object.assign(sim, { clock });
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
    list: <T = TaskListAnswer>(query = "") => call<T>(`/v1/tasks${query === "" ? "" : `?${query}`}`, { headers: headers() }),
    batch: <T = { data: Task[] }>(body: unknown) => call<T>("/v1/tasks/batch", { method: "POST", headers: headers(), body: JSON.stringify(body) }),
  };
}

export interface TaskListAnswer {
  data: TaskListItem[];
  total: number;
  page: number;
  page_size: number;
}

export const BASIC = { model: "seedance-1.5-pro", prompt: "A lighthouse at dusk, waves below" };

export async function bytesOf(res: Response): Promise<Buffer> {
  return Buffer.from(await res.arrayBuffer());
}
