import { fileURLToPath } from "node:url";
import { build } from "vite";

/** The tests drive the page as the server serves it: built from the current sources first. */
export default async function setup(): Promise<void> {
  const root = fileURLToPath(new URL("..", import.meta.url));
  await build({ root, logLevel: "warn" });
}
