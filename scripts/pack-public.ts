/**
 * `pnpm pack:public`: the tarballs of the public packages, and only those, in dist-packages/
 * (emptied first, so it never mixes two versions). The root script builds everything first.
 */
import { mkdirSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { packPublic, REPO_ROOT } from "./public-packages.ts";

const destination = join(REPO_ROOT, "dist-packages");
rmSync(destination, { recursive: true, force: true });
mkdirSync(destination);
const tarballs = packPublic(destination);
for (const [name, tarball] of tarballs) console.log(`${name.padEnd(26)} dist-packages/${basename(tarball)}`);
console.log(`${tarballs.size} public packages packed into ${destination}`);
