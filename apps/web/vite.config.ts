import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `pnpm dev` proxies the API to a server started separately (pnpm start, port 3000).
const api = process.env.CHATLOG_API_URL ?? "http://127.0.0.1:3000";

export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true },
  server: { proxy: { "/v1": api, "/api": api, "/healthz": api } },
});
