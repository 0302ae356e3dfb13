import { describeConformance } from "@chatlog/conformance";
import { betterSqlite3File, betterSqlite3Memory } from "./harnesses.ts";

describeConformance(betterSqlite3File);
describeConformance(betterSqlite3Memory);
