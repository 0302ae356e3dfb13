import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { publicPackages as listPublic, REPO_ROOT } from "../../../scripts/public-packages.ts";

export { REPO_ROOT };

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

/** Every public package with its manifest (the list comes from scripts/public-packages.ts). */
export function publicPackages(): WorkspacePackage[] {
  return listPublic().map((pkg) => ({
    dir: relative(REPO_ROOT, pkg.path),
    manifest: JSON.parse(readFileSync(join(pkg.path, "package.json"), "utf8")) as PackageJson,
  }));
}

/** The workspace's installed version of a root dev dependency (so npm picks the same one). */
export function rootVersion(name: string): string {
  const file = join(REPO_ROOT, "node_modules", name, "package.json");
  return (JSON.parse(readFileSync(file, "utf8")) as PackageJson).version;
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
