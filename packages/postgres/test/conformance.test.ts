import { describeConformance } from "@chatlog/conformance";
import { postgresPool, postgresUrl } from "./harnesses.ts";

describeConformance(postgresUrl);
describeConformance(postgresPool);
