export interface BenchArgs {
  /** A much smaller run (sizes x0.1, fewer repetitions) to check the script works. */
  readonly quick: boolean;
  /** Only these drivers (`--driver=libsql`); null means all. */
  readonly drivers: readonly string[] | null;
  /** Only these section ids (`--section=append,history`); null means all. */
  readonly sections: readonly string[] | null;
  /** Time the file-database runs by CPU time instead of the wall clock (`--cpu`; see Plan.clock). */
  readonly cpu: boolean;
}

export function parseArgs(argv: readonly string[]): BenchArgs {
  let quick = false;
  let cpu = false;
  let drivers: string[] | null = null;
  let sections: string[] | null = null;
  for (const arg of argv) {
    const [key, value = ""] = arg.split("=", 2) as [string, string?];
    if (arg === "--quick") quick = true;
    else if (arg === "--cpu") cpu = true;
    else if (key === "--driver") drivers = value.split(",").filter(Boolean);
    else if (key === "--section") sections = value.split(",").filter(Boolean);
    else if (arg !== "--")
      throw new Error(`unknown argument ${arg} (use --quick, --cpu, --driver=, --section=)`);
  }
  return { quick, drivers, sections, cpu };
}
