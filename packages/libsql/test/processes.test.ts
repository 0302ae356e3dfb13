import { describeProcesses } from "@chatlog/conformance";
import { libsqlFile } from "./harnesses.ts";

describeProcesses(libsqlFile);
