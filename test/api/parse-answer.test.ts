import { describe, expect, it } from "vitest";
import { parseErrorBody, parseTask } from "../../src/api/parse-answer.js";

describe("parseTask", () => {
  it("keeps the known fields and ignores the rest", () => {
    const parsed = parseTask(
      JSON.stringify({
        id: "task-1",
        status: "completed",
        object: "video.generation.task",
        created: 1774857405,
        progress: 100,
        results: ["https://cdn.example/a.mp4", 42],
        task_info: { can_cancel: false, estimated_time: "soon", brand_new: true },
        usage: { credits_reserved: 50 },
        error: { code: "x", message: 7 },
        something_new: { nested: true },
      }),
    );
    expect(parsed).toEqual({
      ok: true,
      task: {
        id: "task-1",
        status: "completed",
        object: "video.generation.task",
        created: 1774857405,
        progress: 100,
        results: ["https://cdn.example/a.mp4"],
        task_info: { can_cancel: false },
        usage: { credits_reserved: 50 },
        error: { code: "x" },
      },
    });
  });

  it("returns a completed task without results as it came", () => {
    expect(parseTask('{"id":"t","status":"completed"}')).toEqual({ ok: true, task: { id: "t", status: "completed" } });
  });

  it.each([
    ["not JSON", "<html>502 Bad Gateway</html>", /expected a JSON object, got "<html>502 Bad Gateway<\/html>"/],
    ["cut-off JSON", '{"id":"t","status":"pendi', /expected a JSON object/],
    ["an empty body", "", /an empty body/],
    ["an array", "[]", /expected a JSON object/],
    ["no id", '{"status":"pending"}', /string "id", got none/],
    ["an empty id", '{"id":"","status":"pending"}', /string "id", got ""/],
    ["an unknown status", '{"id":"t","status":"queued"}', /"status" to be one of pending, processing, completed, failed, cancelled, got "queued"/],
    ["no status", '{"id":"t"}', /got none/],
  ])("refuses %s", (_name, text, problem) => {
    const parsed = parseTask(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toMatch(problem);
  });
});

describe("parseErrorBody", () => {
  it("reads the error object", () => {
    expect(parseErrorBody('{"error":{"code":"invalid_task_id","message":"bad id","type":"invalid_request_error","param":"id","extra":1}}')).toEqual({
      error: { code: "invalid_task_id", message: "bad id", type: "invalid_request_error", param: "id" },
    });
  });

  it.each(["<html>oops</html>", '{"message":"no error object"}', '{"error":"a string"}', ""])("gives undefined for %j", (text) => {
    expect(parseErrorBody(text)).toBeUndefined();
  });
});
