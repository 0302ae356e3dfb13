/** The two driver configurations every server test runs on (both on a fresh file per test). */
export interface DriverCase {
  name: string;
  env(file: string): Record<string, string>;
}

export const DRIVERS: DriverCase[] = [
  { name: "better-sqlite3 file", env: (file) => ({ DATABASE_URL: `file:${file}` }) },
  { name: "libsql file", env: (file) => ({ DATABASE_URL: `file:${file}`, CHATLOG_DRIVER: "libsql" }) },
];
