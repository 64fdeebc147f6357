import { afterEach, describe, expect, it } from "vitest";
import { MAX_CALLBACK_BYTES, startCallbackReceiver, type CallbackReceiver, type ReceivedCallback } from "../../src/runner/callback-receiver.js";
import { ShotlistError } from "../../src/errors.js";
import { httpRequest } from "../helpers/loopback.js";

const PATH = "/hooks/evolink";
let receiver: CallbackReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

/** A receiver on a free loopback port, and every callback it hands on. */
async function listening(): Promise<{ url: string; heard: ReceivedCallback[] }> {
  receiver = await startCallbackReceiver({ host: "127.0.0.1", port: 0, path: PATH });
  const heard: ReceivedCallback[] = [];
  receiver.subscribe((callback) => heard.push(callback));
  return { url: `http://127.0.0.1:${receiver.port}${PATH}`, heard };
}

const task = { id: "task-unified-1774857405-abc123", status: "completed", results: ["https://files.example.com/a.mp4"] };

describe("the callback receiver", () => {
  it("answers 204 to a task object posted on its path and hands on the task id and claimed status", async () => {
    const { url, heard } = await listening();
    expect((await httpRequest(url, { body: JSON.stringify(task) })).status).toBe(204);
    await expect.poll(() => heard).toEqual([{ taskId: task.id, status: "completed", payload: task }]);
  });

  it("takes callbacks on the configured path only", async () => {
    const { url, heard } = await listening();
    expect((await httpRequest(url.replace(PATH, "/other"), { body: JSON.stringify(task) })).status).toBe(404);
    expect((await httpRequest(url, { method: "GET" })).status).toBe(405);
    expect(receiver?.counts).toMatchObject({ accepted: 0, refused: 2 });
    expect(heard).toEqual([]);
  });

  it("refuses a body over 64 KB with 413 and hands nothing on, whether its length is announced or not", async () => {
    const { url, heard } = await listening();
    const big = JSON.stringify({ ...task, padding: "x".repeat(MAX_CALLBACK_BYTES) });
    expect((await httpRequest(url, { body: big })).status).toBe(413);
    expect((await httpRequest(url, { body: big, chunked: true })).status).toBe(413);
    expect(receiver?.counts).toMatchObject({ accepted: 0, tooLarge: 2 });
    expect(heard).toEqual([]);
  });

  it("answers 400 to a body that is not a task object with an id", async () => {
    const { url, heard } = await listening();
    for (const body of ["<html>", "[1,2]", JSON.stringify({ status: "completed" })]) expect((await httpRequest(url, { body })).status).toBe(400);
    expect(receiver?.counts).toMatchObject({ accepted: 0, malformed: 3 });
    expect(heard).toEqual([]);
  });

  it("says where it could not listen, as an error of its own", async () => {
    await listening();
    const taken = startCallbackReceiver({ host: "127.0.0.1", port: receiver?.port ?? 0, path: PATH });
    await expect(taken).rejects.toThrow(ShotlistError);
    await expect(taken).rejects.toThrow(/could not listen for callbacks on 127\.0\.0\.1:\d+ \(--listen\): EADDRINUSE/);
  });
});
