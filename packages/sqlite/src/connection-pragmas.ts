/**
 * The pragmas every connection gets, whichever driver opens it (the seed set them on its first
 * connection only). WAL lets readers run beside the writer and survives in the file;
 * synchronous=NORMAL is safe with WAL; the busy timeout makes a writer wait for another
 * process's lock instead of failing; cache_size and temp_store are the seed's settings.
 */
export function connectionPragmas(options: {
  busyTimeoutMs?: number | undefined;
  inMemory: boolean;
}): string[] {
  return [
    `PRAGMA busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`,
    // An in-memory database cannot use WAL.
    ...(options.inMemory ? [] : ["PRAGMA journal_mode = WAL"]),
    "PRAGMA synchronous = NORMAL",
    "PRAGMA cache_size = 10000",
    "PRAGMA temp_store = MEMORY",
  ];
}
