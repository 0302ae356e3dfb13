import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/**
 * The folder holding initdb, pg_ctl and postgres. Debian keeps them off PATH under
 * /usr/lib/postgresql/<major>/bin; elsewhere pg_config knows. CHATLOG_POSTGRES_BIN overrides both.
 */
export function findPostgresBinaries(): string {
  const override = process.env.CHATLOG_POSTGRES_BIN;
  if (override) return requireInitdb(override);
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    // The newest installed major version.
    const majors = readdirSync(debian)
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    for (const major of majors) {
      const dir = join(debian, major, "bin");
      if (existsSync(join(dir, "initdb"))) return dir;
    }
  }
  try {
    return requireInitdb(execFileSync("pg_config", ["--bindir"], { encoding: "utf8" }).trim());
  } catch {
    throw new Error(
      "Postgres is not installed (no initdb under /usr/lib/postgresql/*/bin or pg_config --bindir): " +
        "apt-get install -y postgresql, set CHATLOG_POSTGRES_BIN, or point CHATLOG_TEST_POSTGRES_URL at a server",
    );
  }
}

function requireInitdb(dir: string): string {
  if (!existsSync(join(dir, "initdb"))) throw new Error(`no initdb in ${dir}`);
  return dir;
}
