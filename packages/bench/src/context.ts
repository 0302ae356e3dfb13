import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BareDb } from "./bare-db.ts";
import type { DriverUnderTest } from "./drivers.ts";
import type { Plan } from "./measure.ts";
import { RawDb } from "./raw-db.ts";
import type { Databases, SectionContext } from "./section.ts";

/**
 * A section's context for one driver: every database it opens lives in a fresh temp dir and is
 * closed and deleted by dispose(), so sections never see each other's data.
 */
export class ManagedContext implements SectionContext {
  private readonly opened: Databases[] = [];
  private readonly dirs: string[] = [];

  constructor(
    readonly driver: DriverUnderTest,
    readonly scale: number,
    readonly plan: Plan,
  ) {}

  async openDatabases(name: string): Promise<Databases> {
    const dir = mkdtempSync(join(tmpdir(), `chatlog-bench-${this.driver.name}-`));
    this.dirs.push(dir);
    const path = join(dir, `${name}.db`);
    // The library opens (and migrates) the file first; the raw connection then shares the
    // migrated schema, triggers included. The bare floor lives in a file of its own.
    const repo = await this.driver.open(path);
    const databases = { repo, raw: new RawDb(path), bare: new BareDb(join(dir, `${name}-bare.db`)), path };
    this.opened.push(databases);
    return databases;
  }

  async dispose(): Promise<void> {
    for (const { repo, raw, bare } of this.opened.splice(0)) {
      await repo.close();
      raw.close();
      bare.close();
    }
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}
