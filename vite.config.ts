import { fileURLToPath } from "node:url";
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Absolute paths: the dev server loads this file from the project root, but the build may run from anywhere.
const root = fileURLToPath(new URL("./client", import.meta.url));
const outDir = fileURLToPath(new URL("./dist/public", import.meta.url));
// tsconfig's `@shared/*` paths, for Vite's resolver, which does not read them (vitest.config.ts says the same).
const sharedAlias = { "@shared": fileURLToPath(new URL("./shared", import.meta.url)) };

export default defineConfig({
  root,
  plugins: [react(), tailwindcss()],
  resolve: { alias: sharedAlias },
  build: {
    outDir,
    emptyOutDir: true,
    // The production CSP is `script-src 'self'`; the polyfill would be inlined into index.html.
    modulePreload: { polyfill: false },
  },
});
