import { describeConformance, describeProcesses } from "@chatlog/conformance";
import { libsqlHttp } from "./harnesses.ts";

// The fifth configuration: @chatlog/libsql over HTTP (Hrana) against a real server process
// state, migrations included; the multi-process cases give each child its own HTTP client.
describeConformance(libsqlHttp);
describeProcesses(libsqlHttp);
