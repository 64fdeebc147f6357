import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it, onTestFinished } from "vitest";
import type { Task } from "../../src/api/types.js";
import { ensureBuilt } from "../helpers/build.js";

const MAIN = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

// A receiver that always fails, so the simulator holds a callback retry timer.
const hook = createServer((req, res) => {
  req.resume();
  res.writeHead(500).end();
});
beforeAll(async () => {
  await ensureBuilt();
  await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
});
afterAll(async () => {
  hook.closeAllConnections();
  await new Promise((r) => hook.close(r));
});

it("the built `shotlist sim` exits promptly on SIGINT with work under way: close() leaks no socket or timer", async () => {
  const child = spawn(process.execPath, [MAIN, "sim", "--gen-time", "0.05", "--jitter", "0", "--result-bytes", "100000000", "--allow-http-callbacks"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const [line] = (await once(child.stdout, "data")) as [Buffer];
  const env = Object.fromEntries(
    line
      .toString()
      .trim()
      .split(" ")
      .map((kv) => kv.split("=") as [string, string]),
  );
  const base = env.EVOLINK_BASE_URL ?? "";
  const headers = { authorization: `Bearer ${env.EVOLINK_API_KEY}`, "content-type": "application/json" };
  const callback_url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
  const create = async (prompt: string): Promise<Task> =>
    (await (
      await fetch(`${base}/v1/videos/generations`, { method: "POST", headers, body: JSON.stringify({ model: "seedance-1.5-pro", prompt, callback_url }) })
    ).json()) as Task;

  const task = await create("a finished task whose callback waits to retry");
  await create("[never] a task that never ends");
  const ledger = async (): Promise<{ callbacks: { attempts: unknown[] }[]; polls: { fault: string | null }[] }> =>
    (await fetch(`${base}/__sim/ledger`)).json() as never;
  await expect.poll(async () => (await ledger()).callbacks[0]?.attempts.length).toBe(1);
  const done = (await (await fetch(`${base}/v1/tasks/${task.id}`, { headers })).json()) as Task;
  const download = (await fetch(done.results?.[0] ?? "")).body?.getReader();
  // A paused body never reads the EOF of a server that died: its socket stays open until cancelled.
  onTestFinished(() => download?.cancel().catch(() => undefined));
  await download?.read(); // a 100 MB download in mid-stream
  await fetch(`${base}/__sim/faults`, { method: "POST", body: JSON.stringify({ delayMs: 60_000 }) });
  const held = fetch(`${base}/v1/tasks/${task.id}`, { headers }).catch(() => "reset"); // a request held by a delay
  await expect.poll(async () => (await ledger()).polls.at(-1)?.fault).toBe("delay");

  child.kill("SIGINT");
  // A timer or socket close() left open would hold the process (the delay's for 60 s, the
  // download's until this side lets go): the guard kills it, and the exit code says so.
  // That close() clears the callback's 1 s retry timer is pinned on the manual clock in callbacks.test.ts.
  const stuck = setTimeout(() => child.kill("SIGKILL"), 10_000);
  const [code] = (await once(child, "exit")) as [number | null];
  clearTimeout(stuck);
  expect(code).toBe(0);
  expect(await held).toBe("reset");
}, 60_000);
