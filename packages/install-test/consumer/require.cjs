// A CommonJS consumer: require() of the ESM-only packages. Node 20.19+ and 22.12+ load ES modules
// from require() (they have no top-level await); older Node throws ERR_REQUIRE_ESM.
const core = require("@chatlog/core");
const betterSqlite3 = require("@chatlog/better-sqlite3");
const libsql = require("@chatlog/libsql");
console.log(
  JSON.stringify({
    assistantReplyKey: core.assistantReplyKey("req-1"),
    ChatlogError: typeof core.ChatlogError,
    betterSqlite3: typeof betterSqlite3.openChatRepository,
    libsql: typeof libsql.openChatRepository,
  }),
);
