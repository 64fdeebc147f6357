// Type-checked lint for the TypeScript in src/, test/ and bench/. eslint-config-prettier comes last
// so that no rule here disagrees with the formatter.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

export default defineConfig(
  { ignores: ["dist/", "dist-bench/", "node_modules/", "out/", "coverage/", "test/chaos/results/", "bench/results/"] },
  {
    files: ["src/**/*.ts", "test/**/*.ts", "bench/**/*.ts", "vitest.config.ts"],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "separate-type-imports" }],
      eqeqeq: ["error", "always"],
      // Re-rejecting a caught value passes it on unchanged; a literal that is not an Error is still flagged.
      "@typescript-eslint/prefer-promise-reject-errors": ["error", { allowThrowingUnknown: true }],
      // Output is made terminal-safe by matching control characters on purpose, and tests check that none are left.
      "no-control-regex": "off",
    },
  },
  {
    // vitest's asymmetric matchers (expect.any, expect.stringContaining, ...) are typed `any` by design.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-unsafe-assignment": "off" },
  },
  {
    // The config files themselves are plain ESM JavaScript outside tsconfig.json: lint them untyped.
    files: ["**/*.js"],
    extends: [js.configs.recommended],
  },
  prettier,
);
