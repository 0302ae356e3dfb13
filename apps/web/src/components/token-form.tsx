import { type FormEvent, useId, useState } from "react";

interface Props {
  /** A token was sent and the server refused it. */
  refused: boolean;
  onSubmit: (token: string) => void;
}

/**
 * Asked for once when the server answers 401; the token is then kept in this browser. A user's
 * JSON Web Token shows that user's conversations only; the administrator's token shows all.
 */
export function TokenForm({ refused, onSubmit }: Props) {
  const [token, setToken] = useState("");
  const inputId = useId();
  const hintId = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = token.trim();
    if (trimmed) onSubmit(trimmed);
  };
  return (
    <main className="token-page">
      <form className="token-form" onSubmit={submit} aria-labelledby={`${inputId}-title`}>
        <h1 id={`${inputId}-title`}>chatlog</h1>
        <p id={hintId}>
          {refused
            ? "The server refused that token (wrong or expired). Check it and try again."
            : "This server needs a token: your sign-in token (a JSON Web Token from your app), or the server's CHATLOG_API_TOKEN. It is kept in this browser."}
        </p>
        <label htmlFor={inputId}>API token</label>
        <input
          id={inputId}
          type="password"
          autoComplete="current-password"
          // biome-ignore lint/a11y/noAutofocus: the form is the whole page; typing the token is the only thing to do
          autoFocus
          aria-describedby={hintId}
          aria-invalid={refused}
          value={token}
          onChange={(e) => setToken(e.target.value)}
        />
        <button type="submit" disabled={token.trim() === ""}>
          Continue
        </button>
      </form>
    </main>
  );
}
