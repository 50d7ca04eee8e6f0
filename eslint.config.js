// ESLint: typescript-eslint's strict type-checked rules over the library, tests, benchmarks and dashboard.
// Options that differ from the preset are listed with their reason.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "web/dist/**", "node_modules/**", "out/**", "test-artifacts/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      // The two programs tsc checks. Named projects, not the project service: the same rules in about 15% less CPU
      // (docs/decisions.md).
      parserOptions: {
        project: ["./tsconfig.json", "./web/tsconfig.json"],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Numbers in messages are formatted where it matters; a bare number in a template is intended.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
      // `const { a: _a, ...rest } = x` is how a key is left out of a copy.
      "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true }],
    },
  },
  { files: ["**/*.js", "**/*.mjs"], ...tseslint.configs.disableTypeChecked },
);
