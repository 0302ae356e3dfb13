export {
  type ChatTurn,
  type ChatTurnOptions,
  chatTurnResponse,
  type StopChatTurnOptions,
  stopChatTurn,
  streamChatTurn,
  type UIStreamSource,
} from "./chat-turn.ts";
export type { ToolsByName } from "./continuation.ts";
export { finalizeAbandoned } from "./finalize-abandoned.ts";
export { type FollowOutcome, type FollowTurnOptions, followTurn } from "./follow-turn.ts";
export { type LoadUIMessagesOptions, loadUIMessages, type UIMessagePage } from "./load-ui-messages.ts";
export { messageChunks } from "./message-chunks.ts";
export { assertUserMessageIdFree } from "./message-ids.ts";
export {
  type PersistedUIMessageStream,
  type PersistUIMessageStreamOptions,
  persistUIMessageStream,
  type StoredReply,
} from "./persist-ui-message-stream.ts";
export { recoverUnfinishedTurns, sweepAbandonedTurns } from "./recover-unfinished.ts";
export { assertUIMessage, type SaveUIMessageResult, saveUIMessage } from "./save-ui-message.ts";
export { attemptOf, MESSAGE_START_KIND, replyMarks, UI_EXTRA } from "./stored-extra.ts";
export { type OwnTurn, type TakeOutcome, takeTurn } from "./take-turn.ts";
export { eventsOfAttempt, isDelta, messageIdOf, replyExtra, replyOf } from "./turn-attempts.ts";
export {
  type ClaimLogger,
  type ClaimSettings,
  DEFAULT_CLAIM_SETTINGS,
  type TakenClaim,
  TurnClaims,
  type TurnClaimsOptions,
  turnKeyString,
} from "./turn-claims.ts";
export { TurnEngine, type TurnEngineOptions } from "./turn-engine.ts";
export { TURN_STOP_KIND, TurnStops } from "./turn-stops.ts";
export { TurnWriter, type TurnWriterFinish, type TurnWriterOptions } from "./turn-writer.ts";
