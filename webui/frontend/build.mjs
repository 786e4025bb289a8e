// Bundles each file of webui/frontend/entries/ (and the CSS it imports) into webui/static/dist/,
// from the packages package-lock.json pins. Run by scripts/bootstrap; the output is not committed.
import { build } from "esbuild";
import { readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const entries = join(here, "entries");
const out = join(here, "..", "static", "dist");

rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: readdirSync(entries).filter((name) => name.endsWith(".js")).map((name) => join(entries, name)),
  outdir: out,
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2019"],
  // Images the packages' CSS refers to are inlined; fonts are written beside the bundle and served
  // from /static (the content security policy admits fonts from the site itself, not data: URLs).
  loader: { ".woff": "file", ".woff2": "file", ".ttf": "file", ".eot": "file", ".svg": "dataurl" },
  assetNames: "fonts/[name]-[hash]",
  logLevel: "warning",
  legalComments: "linked",
});
