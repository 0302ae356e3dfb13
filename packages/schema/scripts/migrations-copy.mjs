// The migrations travel with @chatlog/schema: `node scripts/migrations-copy.mjs` (part of the
// package's build) replaces packages/schema/drizzle and packages/schema/drizzle-postgres with
// copies of the repository's top-level folders of those names, which drizzle-kit writes (SQLite's
// and Postgres's); `--check` exits 1 when a copy differs (CI runs it after the build, so a stale
// copy can never be packed).
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const FOLDERS = ["drizzle", "drizzle-postgres"];
const sourceOf = (folder) => fileURLToPath(new URL(`../../../${folder}`, import.meta.url));
const copyOf = (folder) => fileURLToPath(new URL(`../${folder}`, import.meta.url));

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

/** The differences between a top-level folder and the package's copy, one line each; empty when equal. */
export function differences(folder) {
  const source = sourceOf(folder);
  const copy = copyOf(folder);
  const expected = listFiles(source);
  const actual = listFiles(copy);
  const lines = [];
  for (const file of expected) {
    if (!actual.includes(file)) lines.push(`missing from the copy: ${folder}/${file}`);
    else if (!readFileSync(join(source, file)).equals(readFileSync(join(copy, file)))) {
      lines.push(`differs: ${folder}/${file}`);
    }
  }
  for (const file of actual) if (!expected.includes(file)) lines.push(`not in ${folder}/: ${file}`);
  return lines;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--check")) {
    const lines = FOLDERS.flatMap(differences);
    if (lines.length > 0) {
      console.error(`packages/schema's migrations copy differs (run pnpm build):\n  ${lines.join("\n  ")}`);
      process.exit(1);
    }
    for (const folder of FOLDERS) {
      console.log(
        `packages/schema/${folder} matches ${folder}/ (${listFiles(sourceOf(folder)).length} files)`,
      );
    }
  } else {
    for (const folder of FOLDERS) {
      rmSync(copyOf(folder), { recursive: true, force: true });
      cpSync(sourceOf(folder), copyOf(folder), { recursive: true });
    }
  }
}
