/**
 * The workspace packages a registry user can install: every one whose package.json is not
 * `private`, as pnpm itself lists them. `pnpm pack:public` (scripts/pack-public.ts) and the
 * registry install test (packages/install-test) both take the list from here, so a package that
 * becomes public is packed, published and tested without being named anywhere.
 *
 * Runs under Node's own TypeScript support (Node 24: erasable syntax only, no build step).
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../", import.meta.url));

export interface PublicPackage {
  name: string;
  version: string;
  /** Absolute path of the package's folder. */
  path: string;
}

interface ListedPackage extends PublicPackage {
  private: boolean;
}

export function publicPackages(): PublicPackage[] {
  const listed = JSON.parse(
    execFileSync("pnpm", ["ls", "--recursive", "--depth", "-1", "--json"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      env: { ...process.env, FORCE_COLOR: "0" },
    }),
  ) as ListedPackage[];
  return listed
    .filter((pkg) => !pkg.private)
    .map(({ name, version, path }) => ({ name, version, path }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * `pnpm pack` of one package into `destination` (its build must exist). pnpm writes the
 * registry form of the manifest: `workspace:*` and `catalog:` become the versions they stand for.
 * Returns the tarball's absolute path.
 */
export function pack(pkg: PublicPackage, destination: string): string {
  const output = execFileSync("pnpm", ["pack", "--pack-destination", destination], {
    cwd: pkg.path,
    encoding: "utf8",
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  const tarball = output
    .trim()
    .split("\n")
    .map((line) => line.trim())
    .findLast((line) => line.endsWith(".tgz"));
  if (!tarball || !existsSync(tarball)) throw new Error(`pnpm pack printed no tarball:\n${output}`);
  return tarball;
}

/** Packs every public package into `destination`; returns the tarball path by package name. */
export function packPublic(destination: string): Map<string, string> {
  const tarballs = new Map<string, string>();
  for (const pkg of publicPackages()) tarballs.set(pkg.name, pack(pkg, destination));
  return tarballs;
}
