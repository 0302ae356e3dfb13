import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  description?: string;
  keywords?: string[];
  license?: string;
  repository?: { type?: string; url?: string; directory?: string };
  type?: string;
  sideEffects?: boolean | string[];
  engines?: { node?: string };
  bin?: Record<string, string>;
  exports?: Record<string, unknown>;
  files?: string[];
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

export interface WorkspacePackage {
  /** e.g. "packages/core", relative to the repository root. */
  dir: string;
  manifest: PackageJson;
}

/**
 * Every package the workspace would publish: each packages/* or apps/* folder whose package.json
 * is not private. A package added later is covered by these tests without naming it here.
 */
export function publicPackages(): WorkspacePackage[] {
  const out: WorkspacePackage[] = [];
  for (const group of ["packages", "apps"]) {
    for (const name of readdirSync(join(REPO_ROOT, group)).sort()) {
      const file = join(REPO_ROOT, group, name, "package.json");
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, "utf8")) as PackageJson;
      if (!manifest.private) out.push({ dir: `${group}/${name}`, manifest });
    }
  }
  return out;
}

/** The workspace's installed version of a root dev dependency (so npm picks the same one). */
export function rootVersion(name: string): string {
  const file = join(REPO_ROOT, "node_modules", name, "package.json");
  return (JSON.parse(readFileSync(file, "utf8")) as PackageJson).version;
}

/** `pnpm pack` of one package (its build must exist); returns the tarball's absolute path. */
export function pack(pkg: WorkspacePackage, destination: string): string {
  const output = execFileSync("pnpm", ["pack", "--pack-destination", destination], {
    cwd: join(REPO_ROOT, pkg.dir),
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

/** The file names inside a tarball (without the leading "package/"). */
export function tarballFiles(tarball: string): string[] {
  return execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => line.replace(/^package\//, ""));
}

/** The package.json inside a tarball: what the registry would serve. */
export function tarballManifest(tarball: string): PackageJson {
  return JSON.parse(execFileSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" }));
}
