/**
 * Entry point of `npm run bench`. The simulator reads its clip from
 * <build>/../assets, and this build lives in dist-bench/: link the assets in
 * before anything imports the simulator, then start the bench (main.ts).
 */
import { symlinkSync } from "node:fs";
import { fileURLToPath } from "node:url";

const link = fileURLToPath(new URL("../assets", import.meta.url));
try {
  symlinkSync(fileURLToPath(new URL("../../assets", import.meta.url)), link, "dir");
} catch (err) {
  if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
}
await import("./main.js");
