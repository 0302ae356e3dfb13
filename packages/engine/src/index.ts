export { EngineChatRepository } from "./chat-repository.ts";
export type { DatabasePragmas, Dialect, FailureKind } from "./dialect.ts";
export type {
  Job,
  JobOutcome,
  Row,
  SqlArgs,
  SqlExecutor,
  SqlValue,
  Statement,
  Step,
} from "./executor.ts";
export { assertKnownOptions } from "./options.ts";
export { decodeRow, encodeEvent } from "./row-codec.ts";
export { deleteInSlices } from "./sliced-delete.ts";
export { STATEMENT_NAMES, type StatementName, type Statements, statement } from "./statement-names.ts";
