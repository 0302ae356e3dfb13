import { tool } from "ai";
import { z } from "zod";

export const getTimeTool = tool({
  description: "Returns the current date and time in UTC (ISO 8601).",
  inputSchema: z.object({}),
  execute: async () => ({ utc: new Date().toISOString() }),
});
