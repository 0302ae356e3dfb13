/** The two driver configurations every server test runs on (both on a fresh file per test). */
export interface DriverCase {
  name: string;
  env(file: string): Record<string, string>;
}

export const BETTER_SQLITE3: DriverCase = {
  name: "better-sqlite3 file",
  env: (file) => ({ DATABASE_URL: `file:${file}` }),
};

export const LIBSQL: DriverCase = {
  name: "libsql file",
  env: (file) => ({ DATABASE_URL: `file:${file}`, CHATLOG_DRIVER: "libsql" }),
};

export const DRIVERS: DriverCase[] = [BETTER_SQLITE3, LIBSQL];
