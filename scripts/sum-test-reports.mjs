// Sums the vitest JSON reports (.vitest-report.json, one per package with a test script) into
// "N passed, N failed".
// Exits 1 when a package with tests left no report (it crashed before reporting) or any failed.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

let passed = 0;
let failed = 0;
let missing = 0;
for (const group of ["packages", "apps"]) {
  for (const name of readdirSync(group)) {
    const dir = join(group, name);
    const pkgFile = join(dir, "package.json");
    if (!existsSync(pkgFile)) continue;
    // `test` runs in `pnpm test`; a `test:*` script (test:install) runs in its own CI step.
    const scripts = Object.keys(JSON.parse(readFileSync(pkgFile, "utf8")).scripts ?? {});
    if (!scripts.some((name) => name === "test" || name.startsWith("test:"))) continue;
    const report = join(dir, ".vitest-report.json");
    if (!existsSync(report)) {
      console.error(`no test report from ${dir}`);
      missing += 1;
      continue;
    }
    const json = JSON.parse(readFileSync(report, "utf8"));
    passed += json.numPassedTests ?? 0;
    failed += json.numFailedTests ?? 0;
  }
}
console.log(`${passed} passed, ${failed + missing} failed`);
process.exit(failed + missing > 0 ? 1 : 0);
