import { spawn } from "node:child_process";
import { serveReview, writeStaticReview } from "../../app/review.js";
import { printable } from "../../text.js";
import { defineCommand } from "../command.js";
import { EXIT } from "../exit-codes.js";
import { BATCH_LOCATION_OPTIONS } from "../options.js";

export const reviewCommand = defineCommand({
  name: "review",
  summary: "open a gallery of a batch's takes in the browser: approve, reject, pick a take, add a note",
  usage: "shotlist review <manifest> [--profile NAME] [--port N] [--open] [--static]",
  notes: [
    "The server listens on 127.0.0.1 only; Ctrl-C stops it. Decisions go to <manifest>.picks.yaml.",
    "Keys on the page: j/k move, 1-9 pick a take, a approve, r reject, u undo, n note.",
  ],
  options: {
    ...BATCH_LOCATION_OPTIONS,
    port: { flag: "port", kind: "whole", arg: "N", range: { min: 1, max: 65_535 }, default: { text: "a free port" }, help: "the port to listen on" },
    open: { flag: "open", kind: "boolean", help: "open the gallery in the default browser" },
    static: { flag: "static", kind: "boolean", help: "write a read-only `review.html` into the batch folder instead of serving" },
  },
  examples: [
    { line: "shotlist review shots.yaml --profile draft --open", does: "serve the draft takes and open the gallery in the browser" },
    { line: "shotlist review shots.yaml --static", does: "write a read-only review.html instead" },
  ],
  environment: ["PATH"],
  positionals: 1,
  async run(ctx, { port, open, static: once, ...location }) {
    const manifestPath = ctx.positionals[0] as string;
    if (once) {
      const path = await writeStaticReview({ manifestPath, ...location });
      ctx.stdout.write(`review: ${printable(path)} (read-only; open it in a browser)\n`);
      return EXIT.ok;
    }
    const server = await serveReview({
      manifestPath,
      ...location,
      ...(port === undefined ? {} : { port }),
      onError: (err) => ctx.stderr.write(`review server: ${printable(err.stack ?? err.message)}\n`),
    });
    try {
      ctx.stdout.write(`review: ${server.url} (Ctrl-C stops)\n`);
      if (open) openInBrowser(server.url, ctx.stderr);
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) resolve();
        ctx.signal.addEventListener("abort", () => resolve(), { once: true });
      });
      return EXIT.ok;
    } finally {
      await server.close();
    }
  },
});

/** The platform's opener, detached; a missing one is said, the server carries on. */
function openInBrowser(url: string, stderr: NodeJS.WritableStream): void {
  const opener = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  const child = spawn(opener, [url], { detached: true, stdio: "ignore" });
  child.on("error", (err) => stderr.write(`notice: could not start ${opener} (${err.message}): open ${url} yourself\n`));
  child.unref();
}
