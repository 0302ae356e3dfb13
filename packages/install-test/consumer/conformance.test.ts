// How a driver author outside the chatlog repository runs the conformance suite: one harness
// (fileHarness does the temp files and the independent raw connection), then the suites. Here the
// "driver under test" is the installed @chatlog/better-sqlite3; yours is your own package.
import { createRequire } from "node:module";
import { openChatRepository } from "@chatlog/better-sqlite3";
import { describeConformance, describeProcesses, fileHarness } from "@chatlog/conformance";

const harness = fileHarness({
  name: "my driver (file)",
  // How the multi-process cases' children open the file: { path } ("better-sqlite3") or
  // { url: "file:…" } ("libsql").
  driver: "better-sqlite3",
  // The children import openChatRepository from this file (plain Node: a built .js entry).
  entry: createRequire(import.meta.url).resolve("@chatlog/better-sqlite3"),
  open: (file, options) => openChatRepository({ ...options, path: file }),
});

describeConformance(harness);
describeProcesses(harness);
