import type { UIMessage } from "ai";
import { describe, expect, it } from "vitest";
import { keepDraft, takeDraft } from "../src/drafts.ts";

const userMessage = (id: string, text: string): UIMessage => ({
  id,
  role: "user",
  parts: [{ type: "text", text }],
});

describe("what a message box holds while it is away", () => {
  it("gives back the text a box held, once", () => {
    keepDraft("c1", "half a thought", null);
    expect(takeDraft("c1", [])).toEqual({ text: "half a thought", putBack: null });
    expect(takeDraft("c1", [])).toEqual({ text: "", putBack: null });
  });

  it("puts a message sent but not accepted back into an empty box, watching for it on the server", () => {
    keepDraft("c2", "", { id: "u1", text: "the message" });
    expect(takeDraft("c2", [])).toEqual({ text: "the message", putBack: { id: "u1", text: "the message" } });
  });

  it("does not put back a message the server stored after all", () => {
    keepDraft("c3", "", { id: "u1", text: "the message" });
    expect(takeDraft("c3", [userMessage("u1", "the message")])).toEqual({ text: "", putBack: null });
  });

  it("keeps what was typed after the send over the message sent", () => {
    keepDraft("c4", "typed since", { id: "u1", text: "the message" });
    expect(takeDraft("c4", []).text).toBe("typed since");
  });

  it("puts back a message useChat had not given an id yet, with nothing to watch for", () => {
    keepDraft("c5", "  ", { id: null, text: "the message" });
    expect(takeDraft("c5", [])).toEqual({ text: "the message", putBack: null });
  });

  it("keeps nothing for an empty box, and each conversation its own", () => {
    keepDraft("c6", "", null);
    keepDraft("c7", "seven", null);
    expect(takeDraft("c6", []).text).toBe("");
    expect(takeDraft("c7", []).text).toBe("seven");
  });
});
