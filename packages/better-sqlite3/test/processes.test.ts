import { describeProcesses } from "@chatlog/conformance";
import { betterSqlite3File } from "./harnesses.ts";

describeProcesses(betterSqlite3File);
