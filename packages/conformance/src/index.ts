export * from "./fixtures.ts";
export * from "./harness.ts";
export * from "./processes/index.ts";
export * from "./raw.ts";
export { describeConformance } from "./suite.ts";
