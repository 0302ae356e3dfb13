#!/usr/bin/env node
// The CLI's entry point as it was before it was compiled: register tsx in this process, then run
// the TypeScript sources. Kept only as the start-up benchmark's baseline (bench/startup.ts).
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
