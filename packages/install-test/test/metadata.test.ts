/**
 * What a registry user expects of every public package, checked on the workspace manifests, so a
 * package added later that skips part of the pattern fails here.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { publicPackages, REPO_ROOT } from "./packages.ts";

const packages = publicPackages();

describe.each(packages.map((pkg) => [pkg.manifest.name, pkg] as const))("%s", (_name, pkg) => {
  const { manifest } = pkg;
  const at = (path: string) => join(REPO_ROOT, pkg.dir, path);

  it("has the metadata a registry user expects", () => {
    expect(manifest.description?.length).toBeGreaterThan(20);
    expect(manifest.keywords).toContain("chatlog");
    expect(manifest.license).toBe("MIT");
    expect(manifest.repository).toEqual({ type: "git", url: expect.any(String), directory: pkg.dir });
    expect(manifest.type).toBe("module");
    expect(manifest.engines).toEqual({ node: ">=22" });
    expect(typeof manifest.sideEffects).toBe("boolean");
    expect(manifest.files).toEqual(expect.arrayContaining(["dist", "src"]));
    expect(existsSync(at("README.md"))).toBe(true);
    if (
      manifest.bin &&
      !manifest.exports &&
      /node scripts\/bundle\.mjs/.test(manifest.scripts?.build ?? "")
    ) {
      // A bin-only package may ship one bundle (the CLI does, for its start-up time).
      expect(existsSync(at("scripts/bundle.mjs"))).toBe(true);
    } else {
      // Libraries ship what tsc emits: JavaScript, .d.ts and declaration maps.
      expect(manifest.scripts?.build).toMatch(/tsc -p tsconfig\.build\.json/);
      expect(existsSync(at("tsconfig.build.json"))).toBe(true);
    }
  });

  it("exports the build for Node and the sources for the workspace, or has bins in dist", () => {
    if (manifest.bin) {
      for (const target of Object.values(manifest.bin)) expect(target).toMatch(/^\.\/dist\/.+\.js$/);
      return;
    }
    expect(manifest.sideEffects).toBe(false);
    const root = manifest.exports?.["."] as Record<string, string>;
    // Order matters: the first matching condition wins, so the source condition comes first.
    expect(Object.keys(root)).toEqual(["@chatlog/source", "types", "import", "default"]);
    expect(root).toEqual({
      "@chatlog/source": "./src/index.ts",
      types: "./dist/index.d.ts",
      import: "./dist/index.js",
      default: "./dist/index.js",
    });
    expect(existsSync(at("src/index.ts"))).toBe(true);
  });
});

it("the root LICENSE exists (pnpm pack puts it in every tarball)", () => {
  expect(existsSync(join(REPO_ROOT, "LICENSE"))).toBe(true);
  expect(packages.length).toBeGreaterThanOrEqual(10);
});
