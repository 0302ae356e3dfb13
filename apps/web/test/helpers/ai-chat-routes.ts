import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Whether the server has its AI SDK routes (/api/chat, apps/server/src/routes/ai-chat*.ts,
 * built on another branch). The chat tests need them; this reads the source folder, not a
 * response, so a route that exists but fails still fails its tests.
 */
export const hasAiChatRoutes = readdirSync(
  fileURLToPath(new URL("../../../server/src/routes", import.meta.url)),
).some((file) => file.startsWith("ai-chat"));
