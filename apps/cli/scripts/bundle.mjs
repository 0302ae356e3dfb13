// Builds the `chatlog` bin (dist/main.js) as one esbuild bundle of the CLI, the compiled
// workspace packages and drizzle-orm. Start-up is the point: Node spends most of a short
// command resolving and compiling modules (drizzle alone is ~180 files), and a bundle is a few.
// Code splitting keeps what a command does not need out of its start: each driver (reached
// through @chatlog/connect's dynamic imports) is its own chunk, so `chatlog --help` loads no
// database code and a better-sqlite3 file never loads libSQL.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const CLI_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
const manifest = JSON.parse(readFileSync(join(CLI_DIR, "package.json"), "utf8"));

/**
 * Native drivers stay outside the bundle (their .node bindings are found from their own
 * package), and so must be run-time dependencies of the CLI itself.
 */
const NATIVE = ["better-sqlite3", "@libsql/client", "libsql"];
/**
 * node-postgres is CommonJS that requires Node's built-ins (events, net, ...) at run time, which
 * an ESM bundle cannot do ("Dynamic require of events"), so it stays outside the bundle too. It
 * is only loaded when a postgres:// database is opened (the Postgres driver is its own chunk).
 */
const COMMONJS = ["pg"];
const EXTERNAL = [...NATIVE, ...COMMONJS];
for (const name of EXTERNAL) {
  if (!manifest.dependencies?.[name])
    throw new Error(`bundle: ${name} is external, so it must be a dependency`);
}

/**
 * @chatlog/schema finds its migrations folder beside its own module (import.meta.url). Inside
 * the bundle that module would be this CLI's chunk, so there it asks where the installed
 * @chatlog/schema package is instead (a run-time dependency of the CLI): the same folder the
 * unbundled module reads.
 */
const schemaLocation = {
  name: "schema-location",
  setup(builder) {
    builder.onLoad({ filter: /[\\/]schema[\\/]dist[\\/]index\.js$/ }, async (args) => {
      const source = readFileSync(args.path, "utf8");
      const count = source.split("import.meta.url").length - 1;
      if (count === 0)
        throw new Error(`bundle: ${args.path} no longer reads import.meta.url; update the plugin`);
      return { contents: source.replaceAll("import.meta.url", 'import.meta.resolve("@chatlog/schema")') };
    });
  },
};
if (!manifest.dependencies?.["@chatlog/schema"])
  throw new Error("bundle: @chatlog/schema must be a dependency");

await build({
  absWorkingDir: CLI_DIR,
  entryPoints: ["src/main.ts"],
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // The packages as installed (their dist/, built first by turbo's ^build), not their sources.
  conditions: [],
  external: EXTERNAL,
  plugins: [schemaLocation],
  sourcemap: true,
  chunkNames: "chunks/[name]-[hash]",
  logLevel: "warning",
});
