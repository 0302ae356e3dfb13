import { describeProcesses } from "@chatlog/conformance";
import { postgresUrl } from "./harnesses.ts";

describeProcesses(postgresUrl);
