/** The API token, entered once and kept in this browser (localStorage) until forgotten. */
const KEY = "chatlog.apiToken";

export function readToken(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null; // storage disabled: the token lives only as long as the page
  }
}

export function saveToken(token: string): void {
  try {
    localStorage.setItem(KEY, token);
  } catch {
    // see readToken
  }
}

export function forgetToken(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // see readToken
  }
}
