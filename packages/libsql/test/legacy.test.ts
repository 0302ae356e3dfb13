import { describeLegacyAdoption } from "@chatlog/conformance";
import { libsqlFile } from "./harnesses.ts";

describeLegacyAdoption(libsqlFile);
