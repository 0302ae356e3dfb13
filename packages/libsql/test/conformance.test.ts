import { describeConformance } from "@chatlog/conformance";
import { libsqlFile, libsqlMemory } from "./harnesses.ts";

describeConformance(libsqlFile);
describeConformance(libsqlMemory);
