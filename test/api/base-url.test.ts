import { describe, expect, it } from "vitest";
import { checkBaseUrl } from "../../src/api/index.js";

describe("EVOLINK_BASE_URL", () => {
  it.each(["https://api.evolink.ai", "https://gateway.example.com/evolink", "http://127.0.0.1:8080", "http://localhost:9000", "http://[::1]:7000"])(
    "accepts %s",
    (url) => {
      expect(checkBaseUrl(url)).toBe(url);
    },
  );

  it("refuses a host without a scheme as a usage error that shows what came", () => {
    expect(() => checkBaseUrl("api.evolink.ai")).toThrow(
      expect.objectContaining({ code: "usage", message: 'EVOLINK_BASE_URL must be a URL such as https://api.evolink.ai, got "api.evolink.ai"' }),
    );
  });

  it("refuses plain http to another machine, which would send the key in clear text", () => {
    expect(() => checkBaseUrl("http://api.evolink.ai")).toThrow(
      expect.objectContaining({ code: "usage", message: expect.stringContaining("plain http to api.evolink.ai, which would send the API key in clear text") }),
    );
    expect(() => checkBaseUrl("http://192.168.1.10:8080")).toThrow(expect.objectContaining({ code: "usage" }));
  });

  it("refuses any other scheme", () => {
    expect(() => checkBaseUrl("ftp://api.evolink.ai")).toThrow(expect.objectContaining({ code: "usage", message: expect.stringContaining("ftp:") }));
  });
});
