import { describeLegacyAdoption } from "@chatlog/conformance";
import { betterSqlite3File } from "./harnesses.ts";

describeLegacyAdoption(betterSqlite3File);
