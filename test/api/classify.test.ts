import { describe, expect, it } from "vitest";
import { classifyFailure, parseRetryAfter, type FailureFacts } from "../../src/api/classify.js";
import type { ApiErrorKind } from "../../src/api/api-error.js";

const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
const wrappedRefused = Object.assign(new Error("fetch failed"), { cause: refused });
const connectTimeout = Object.assign(new Error("Connect Timeout Error"), { code: "UND_ERR_CONNECT_TIMEOUT" });
const reset = Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" });
const timedOut = new DOMException("The operation was aborted due to timeout", "TimeoutError");
const quotaBody = { error: { code: "quota_exceeded", type: "insufficient_quota_error" } };

const table: [string, FailureFacts, ApiErrorKind][] = [
  ["429", { operation: "create", status: 429 }, "rate_limited"],
  ["429 with quota_exceeded", { operation: "create", status: 429, body: quotaBody }, "quota"],
  ["402", { operation: "create", status: 402 }, "quota"],
  ["403 with quota_exceeded", { operation: "read", status: 403, body: quotaBody }, "quota"],
  ["401", { operation: "create", status: 401 }, "auth"],
  ["403", { operation: "read", status: 403 }, "auth"],
  ["400", { operation: "create", status: 400 }, "invalid"],
  ["404", { operation: "read", status: 404 }, "invalid"],
  ["413", { operation: "create", status: 413 }, "invalid"],
  ["422", { operation: "create", status: 422 }, "invalid"],
  ["408", { operation: "create", status: 408 }, "transient"],
  ["500", { operation: "create", status: 500 }, "transient"],
  ["502", { operation: "read", status: 502 }, "transient"],
  ["503", { operation: "create", status: 503 }, "transient"],
  ["unreadable 200 to a read", { operation: "read", status: 200 }, "transient"],
  ["unreadable 200 to a create", { operation: "create", status: 200 }, "ambiguous"],
  ["302 to a create", { operation: "create", status: 302 }, "ambiguous"],
  ["302 to a read", { operation: "read", status: 302 }, "transient"],
  ["ECONNREFUSED on create", { operation: "create", networkError: refused }, "transient"],
  ["wrapped ECONNREFUSED on create", { operation: "create", networkError: wrappedRefused }, "transient"],
  ["connect timeout on create", { operation: "create", networkError: connectTimeout }, "transient"],
  ["socket closed on create", { operation: "create", networkError: reset }, "ambiguous"],
  ["socket closed on read", { operation: "read", networkError: reset }, "transient"],
  ["call timeout on create", { operation: "create", networkError: timedOut }, "ambiguous"],
  ["call timeout on read", { operation: "read", networkError: timedOut }, "transient"],
  ["a non-error thrown on create", { operation: "create", networkError: "boom" }, "ambiguous"],
];

describe("classifyFailure", () => {
  it.each(table)("%s -> %s", (_name, facts, kind) => {
    expect(classifyFailure(facts)).toBe(kind);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-11-23T10:00:00Z");
  it.each([
    ["7", 7000],
    [" 0 ", 0],
    ["Mon, 23 Nov 2026 10:00:30 GMT", 30_000],
    ["Mon, 23 Nov 2026 09:59:00 GMT", 0], // already past: go now
    ["5.5", undefined],
    ["-3", undefined],
    ["soon", undefined],
    [undefined, undefined],
  ])("%j -> %j", (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });
});
