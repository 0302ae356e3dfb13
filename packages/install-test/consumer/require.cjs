// A CommonJS consumer: require() of the ESM-only packages. Node 22.12+ loads ES modules from
// require() (they have no top-level await); older Node throws ERR_REQUIRE_ESM.
const aiSdk = require("@chatlog/ai-sdk");
const betterSqlite3 = require("@chatlog/better-sqlite3");
console.log(
  JSON.stringify({
    saveUIMessage: typeof aiSdk.saveUIMessage,
    betterSqlite3: typeof betterSqlite3.openChatRepository,
  }),
);
