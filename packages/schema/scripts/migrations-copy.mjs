// The migrations travel with @chatlog/schema: `node scripts/migrations-copy.mjs` (part of the
// package's build) replaces packages/schema/drizzle with a copy of the repository's top-level
// drizzle/, the folder drizzle-kit writes; `--check` exits 1 when the copy differs from it
// (CI runs it after the build, so a stale copy can never be packed).
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const source = fileURLToPath(new URL("../../../drizzle", import.meta.url));
const copy = fileURLToPath(new URL("../drizzle", import.meta.url));

/** Every file under `dir`, as paths relative to it, sorted. */
function listFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  const walk = (current) => {
    for (const name of readdirSync(current)) {
      const path = join(current, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(dir, path));
    }
  };
  walk(dir);
  return out.sort();
}

/** The differences between drizzle/ and the package's copy, one line each; empty when equal. */
export function differences() {
  const expected = listFiles(source);
  const actual = listFiles(copy);
  const lines = [];
  for (const file of expected) {
    if (!actual.includes(file)) lines.push(`missing from the copy: ${file}`);
    else if (!readFileSync(join(source, file)).equals(readFileSync(join(copy, file)))) {
      lines.push(`differs: ${file}`);
    }
  }
  for (const file of actual) if (!expected.includes(file)) lines.push(`not in drizzle/: ${file}`);
  return lines;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--check")) {
    const lines = differences();
    if (lines.length > 0) {
      console.error(
        `packages/schema/drizzle differs from drizzle/ (run pnpm build):\n  ${lines.join("\n  ")}`,
      );
      process.exit(1);
    }
    console.log(`packages/schema/drizzle matches drizzle/ (${listFiles(source).length} files)`);
  } else {
    rmSync(copy, { recursive: true, force: true });
    cpSync(source, copy, { recursive: true });
  }
}
