import type { EngineChatRepository } from "@chatlog/engine";
import type { BareDb } from "./bare-db.ts";
import type { DriverUnderTest } from "./drivers.ts";
import type { Plan } from "./measure.ts";
import type { RawDb } from "./raw-db.ts";
import type { BenchLine } from "./report.ts";

/**
 * A library repository and a raw baseline connection, both open on the same fresh database file,
 * and the bare floor beside them.
 */
export interface Databases {
  readonly repo: EngineChatRepository;
  readonly raw: RawDb;
  /** The floor: a table with only a primary key and a (conversation_id, seq) index, its own file. */
  readonly bare: BareDb;
  readonly path: string;
}

export interface SectionContext {
  readonly driver: DriverUnderTest;
  /** A fresh migrated database file (in its own temp dir) with the library and raw opened on it. */
  openDatabases(name: string): Promise<Databases>;
  /** Scales iteration counts down for a smoke run (`--quick`); sections multiply their sizes by it. */
  readonly scale: number;
  /** The default warm-up / repetition plan. */
  readonly plan: Plan;
}

/**
 * One benchmark section: a file under sections/, listed once in registry.ts. It measures the
 * library against a baseline taken in the same run and returns the lines to print.
 */
export interface Section {
  /** Short id used by `--section=<id>`. */
  readonly id: string;
  run(ctx: SectionContext): Promise<BenchLine[]>;
}
