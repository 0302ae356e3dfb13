/**
 * `pnpm pack:public`: the tarballs of the public packages, and only those, in dist-packages/ (or
 * the folder given as the first argument). Tarballs already there are removed first, so the folder
 * never mixes two versions; nothing else in it is touched. The root script builds everything first.
 */
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { packPublic, REPO_ROOT } from "./public-packages.ts";

const destination = resolve(process.argv[2] ?? join(REPO_ROOT, "dist-packages"));
mkdirSync(destination, { recursive: true });
for (const file of readdirSync(destination)) if (file.endsWith(".tgz")) rmSync(join(destination, file));
const tarballs = packPublic(destination);
for (const [name, tarball] of tarballs) console.log(`${name.padEnd(26)} ${relative(process.cwd(), tarball)}`);
console.log(`${tarballs.size} public packages packed into ${destination}`);
