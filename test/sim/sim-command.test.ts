import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { simCommand } from "../../src/cli/commands/sim.js";
import type { CommandContext, OptionValues } from "../../src/cli/command.js";
import { ShotlistError } from "../../src/errors.js";

function context(values: OptionValues, signal: AbortSignal): { ctx: CommandContext; firstLine: Promise<string> } {
  const stdout = new PassThrough();
  const firstLine = new Promise<string>((resolve) => {
    let text = "";
    stdout.on("data", (c: Buffer) => {
      text += c.toString();
      if (text.includes("\n")) resolve(text.split("\n")[0] ?? "");
    });
  });
  const ctx: CommandContext = { values, positionals: [], stdout, stderr: new PassThrough(), env: {}, signal };
  return { ctx, firstLine };
}

describe("shotlist sim", () => {
  it("prints the base URL and key, serves until aborted, then closes", async () => {
    const controller = new AbortController();
    const { ctx, firstLine } = context({ key: "sk-cli", "gen-time": "0.05", "fault-rate": "0", seed: "3" }, controller.signal);
    const exit = simCommand.run(ctx);
    const line = await firstLine;
    const m = /^EVOLINK_BASE_URL=(http:\/\/127\.0\.0\.1:\d+) EVOLINK_API_KEY=sk-cli$/.exec(line);
    expect(m).not.toBeNull();
    const base = m?.[1] ?? "";
    const created = await fetch(`${base}/v1/videos/generations`, {
      method: "POST",
      headers: { authorization: "Bearer sk-cli", "content-type": "application/json" },
      body: JSON.stringify({ model: "seedance-1.5-pro", prompt: "x" }),
    });
    expect(created.status).toBe(200);
    controller.abort();
    expect(await exit).toBe(0);
    await expect(fetch(`${base}/__sim/ledger`)).rejects.toThrow();
  });

  it("refuses a fault rate outside 0..1 as a usage error", async () => {
    const { ctx } = context({ "fault-rate": "1.5" }, new AbortController().signal);
    await expect(simCommand.run(ctx)).rejects.toThrow(ShotlistError);
  });
});
