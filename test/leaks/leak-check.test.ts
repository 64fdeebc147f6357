/**
 * The leak check itself: what takeSnapshot/leaksSince find, and that the
 * setup file really fails a test that leaks (a fixture run through vitest).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, connect, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished } from "vitest";
import { leaksSince, takeSnapshot } from "../helpers/leaks.js";

async function listening(): Promise<Server> {
  const server = createServer((socket) => socket.on("error", () => undefined));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

const closed = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "shotlist-leaks-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("leaksSince", () => {
  it("names a server left listening, and nothing once it is closed", async () => {
    const before = takeSnapshot();
    const server = await listening();
    const { port } = server.address() as { port: number };
    expect(await leaksSince(before)).toEqual([`a listening server on 127.0.0.1:${port}`]);
    await closed(server);
    expect(await leaksSince(before)).toEqual([]);
  });

  it("names the file of a database left open, and nothing once it is closed", async () => {
    const path = join(tempDir(), "state.db");
    const before = takeSnapshot();
    const db = new Database(path);
    db.exec("CREATE TABLE t (x)");
    expect(await leaksSince(before)).toEqual([`an open SQLite database file ${path} (a store not closed)`]);
    db.close();
    expect(await leaksSince(before)).toEqual([]);
  });

  it("names both ends of a connection left open", async () => {
    const server = await listening();
    onTestFinished(() => closed(server));
    const { port } = server.address() as { port: number };
    const before = takeSnapshot();
    const client = connect(port, "127.0.0.1");
    await once(client, "connect");
    const found = await leaksSince(before);
    expect(found).toContain(`an open socket 127.0.0.1:${client.localPort} -> 127.0.0.1:${port}`);
    expect(found).toContain(`an open socket 127.0.0.1:${port} -> 127.0.0.1:${client.localPort}`);
    client.destroy();
    expect(await leaksSince(before)).toEqual([]);
  });

  it("names a child process still running, without its stdio pipes, and nothing once it exited", async () => {
    const before = takeSnapshot();
    const child = spawn(process.execPath, ["-e", "process.stdin.resume()"], { stdio: ["pipe", "pipe", "pipe"] });
    await once(child, "spawn");
    expect(await leaksSince(before)).toEqual([`a child process (pid ${child.pid}): ${process.execPath} -e process.stdin.resume()`]);
    child.kill("SIGKILL");
    await once(child, "close");
    expect(await leaksSince(before)).toEqual([]);
  });

  it("names a timer still set and where it was set, but not an unref'd one", async () => {
    const before = takeSnapshot();
    const timer = setTimeout(() => undefined, 60_000);
    const unrefd = setTimeout(() => undefined, 60_000).unref();
    const found = await leaksSince(before);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^a timer still set, set at .*test\/leaks\/leak-check\.test\.ts:\d+/);
    clearTimeout(timer);
    clearTimeout(unrefd);
    expect(await leaksSince(before)).toEqual([]);
  });

  it("waits for a close already under way, by turns of the event loop", async () => {
    const before = takeSnapshot();
    const server = await listening();
    const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    await once(child, "exit");
    server.close();
    expect(await leaksSince(before)).toEqual([]);
  });
});

describe("the setup file", () => {
  it("fails each test of a file that leaks a server or a database, and passes the one that closes them", async () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("VITEST")));
    const child = spawn(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--config", "test/leaks/fixtures/vitest.config.ts", "--reporter=json"], {
      env: { ...env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const [code] = (await once(child, "close")) as [number | null];
    expect(code, stderr).toBe(1);

    const report = JSON.parse(stdout.slice(stdout.indexOf("{"))) as {
      testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
    };
    const results = report.testResults.flatMap((f) => f.assertionResults).map((r) => [r.title, r.status, r.failureMessages.join("\n")]);
    expect(results).toEqual([
      ["leaks a listening server", "failed", expect.stringMatching(/the test left 1 thing\(s\) open.*\n {2}- a listening server on 127\.0\.0\.1:\d+/)],
      [
        "leaks a database",
        "failed",
        expect.stringMatching(/the test left 1 thing\(s\) open.*\n {2}- an open SQLite database file .*state\.db \(a store not closed\)/),
      ],
      ["closes what it opens", "passed", ""],
    ]);
  }, 60_000);
});
