import { describe } from "vitest";
import type { DriverHarness } from "./harness.ts";

/** Registers every conformance case for one driver configuration. */
export function describeConformance(harness: DriverHarness): void {
  describe(`conformance: ${harness.name}`, () => {
    // cases are registered here
  });
}
