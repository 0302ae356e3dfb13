import { useEffect, useState } from "react";

interface Props {
  text: string;
  label: string;
}

/** Copies `text` (a message as its markdown) to the clipboard and says so for a moment. */
export function CopyButton({ text, label }: Props) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state === "idle") return;
    const timer = setTimeout(() => setState("idle"), 2000);
    return () => clearTimeout(timer);
  }, [state]);
  const copy = () => {
    // The Clipboard API needs a secure context (https or localhost): elsewhere it is missing.
    if (!navigator.clipboard) return setState("failed");
    navigator.clipboard.writeText(text).then(
      () => setState("copied"),
      () => setState("failed"),
    );
  };
  return (
    <button type="button" className="copy-button" onClick={copy} aria-label={label}>
      {state === "copied" ? "Copied" : state === "failed" ? "Copy failed" : "Copy"}
    </button>
  );
}
