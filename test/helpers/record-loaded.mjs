// Preloaded with NODE_OPTIONS=--import by startup tests: at exit, writes the
// CommonJS modules the process loaded (npm packages such as the AWS SDK,
// undici and better-sqlite3 are CommonJS) to $SHOTLIST_TEST_LOADED.
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
process.on("exit", () => writeFileSync(process.env.SHOTLIST_TEST_LOADED, JSON.stringify(Object.keys(require.cache))));
