export { type HranaChild, spawnHranaServer } from "./child.ts";
export type { FailureSpec, HranaControl, HranaStats } from "./control.ts";
export { type HranaServer, type HranaServerOptions, startHranaServer } from "./server.ts";
