import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `pnpm dev` proxies the API to a server started separately (pnpm start, port 3000).
const api = process.env.CHATLOG_API_URL ?? "http://127.0.0.1:3000";

export default defineConfig({
  plugins: [react()],
  // @ai-sdk/react pins its own patch release of `ai`; one copy in the page (the one this package
  // depends on), so useChat and the transport share one set of classes and the bundle has no twin.
  resolve: { dedupe: ["ai", "@ai-sdk/provider-utils"] },
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true },
  server: { proxy: { "/v1": api, "/api": api, "/healthz": api } },
});
