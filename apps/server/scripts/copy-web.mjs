// Part of the server's build: copies the built chat page (apps/web/dist, which turbo builds
// first: apps/server/turbo.json) into the package as web/, so an installed chatlog-server,
// which has no apps/web beside it, serves the page at /. Source maps stay behind: they are most
// of the folder's size and the page works without them.
import { cpSync, existsSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const serverDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const page = join(serverDir, "..", "web", "dist");
const target = join(serverDir, "web");

if (!existsSync(join(page, "index.html"))) {
  console.error(
    `copy-web: ${page}/index.html is missing; build the page first (pnpm --filter @chatlog/web build)`,
  );
  process.exit(1);
}
rmSync(target, { recursive: true, force: true });
cpSync(page, target, { recursive: true, filter: (source) => !source.endsWith(".map") });
