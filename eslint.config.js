import js from "@eslint/js";
import drizzle from "eslint-plugin-drizzle";
import globals from "globals";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

// Import boundaries, matched on the specifier as written (relative or `@shared/…`).
const SERVER = "(^|/)server/";
const CLIENT = "(^|/)client/";
// Node's globals are visible to client files anyway (the server's types reach them through `AppRouter`), so the
// type checker cannot keep them out of the browser bundle; this does.
const NODE_ONLY_GLOBALS = ["process", "Buffer", "global", "require", "module", "__dirname", "__filename"].map(
  (name) => ({ name, message: "client/ runs in the browser, where this Node global does not exist." }),
);

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "data/", "logs/", "backups/", ".tmp/", "db/migrations/"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ["*.js", "*.mjs", "scripts/*.mjs", "bench/lib/*.mjs"] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { drizzle },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      // `import { type A }` still loads the module under verbatimModuleSyntax; `import type` is erased.
      "@typescript-eslint/no-import-type-side-effects": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { attributes: false } }],
      // What our code calls a drizzle database or transaction handle (`db`, `deps.database.db`, `tx`).
      "drizzle/enforce-delete-with-where": ["error", { drizzleObjectName: ["db", "tx"] }],
      "drizzle/enforce-update-with-where": ["error", { drizzleObjectName: ["db", "tx"] }],
    },
  },
  {
    files: ["client/**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: SERVER,
              allowTypeImports: true,
              message:
                "client/ is bundled for the browser: import only types from server/ (`import type`); values the client needs belong in shared/.",
            },
            { regex: "^node:", message: "client/ runs in the browser: Node's built-in modules do not exist there." },
          ],
        },
      ],
      "no-restricted-globals": ["error", ...NODE_ONLY_GLOBALS],
    },
  },
  {
    files: ["shared/**/*.ts", "sdk/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: `${SERVER}|${CLIENT}`,
              message:
                "shared/ and sdk/ are used by the server, the browser and users' agents: they cannot depend on server/ or client/. Move what both need into shared/.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["server/modules/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "(^|/)http/",
              message:
                "Modules hold the domain and must not depend on a transport: server/http/ calls modules, never the reverse. Move the shared piece into the module (or server/lib/).",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["**/*.test.ts", "tests/**/*.ts", "bench/**/*.ts"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
    },
  },
  { files: ["**/*.js", "**/*.mjs"], ...tseslint.configs.disableTypeChecked },
  { files: ["**/*.js", "**/*.mjs"], languageOptions: { globals: globals.node } },
);
