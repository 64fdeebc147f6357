import { describe, expect, it } from "vitest";
import { classifyTaskFailure, isRetryable } from "../../src/api/failure-codes.js";

describe("classifyTaskFailure", () => {
  it.each([
    ["content_policy_violation", "policy"],
    ["invalid_parameters", "policy"],
    ["image_processing_error", "policy"],
    ["image_dimension_mismatch", "policy"],
    ["request_cancelled", "policy"],
    ["generation_failed_no_content", "transient"],
    ["service_error", "transient"],
    ["generation_timeout", "transient"],
    ["resource_exhausted", "transient"],
    ["service_unavailable", "transient"],
    ["quota_exceeded", "account"],
    ["resource_not_found", "unknown"],
    ["unknown_error", "unknown"],
    ["a_code_from_next_year", "unknown"],
    ["toString", "unknown"], // not fooled by Object.prototype
    [undefined, "unknown"],
  ])("%s -> %s", (code, errorClass) => {
    expect(classifyTaskFailure(code)).toBe(errorClass);
  });
});

describe("isRetryable", () => {
  it("retries transient and unknown failures only", () => {
    expect(isRetryable("transient")).toBe(true);
    expect(isRetryable("unknown")).toBe(true);
    expect(isRetryable("policy")).toBe(false);
    expect(isRetryable("account")).toBe(false);
    expect(isRetryable("invalid")).toBe(false);
  });
});
