import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Fails a test that leaves a server, socket, child process, timer or store open.
    setupFiles: ["test/helpers/leak-check.setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // e2e tests spawn the built CLI and servers; two cores cannot run many at once.
    maxWorkers: 2,
  },
});
