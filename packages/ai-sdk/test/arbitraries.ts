import type { UIMessage } from "ai";
import fc from "fast-check";

type Part = UIMessage["parts"][number];

/** JSON values as they come back from storage (no -0, no undefined). */
const json = fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.parse(JSON.stringify(value)) as unknown);
const jsonObject = fc.dictionary(fc.string({ maxLength: 6 }), json, { maxKeys: 3 });
const text = fc.string({ maxLength: 40 });
const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,10}$/);
const providerMetadata = fc.option(
  fc.dictionary(name, fc.dictionary(name, json, { maxKeys: 2 }), { maxKeys: 2 }),
  {
    nil: undefined,
  },
);

function optional<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const state = fc.option(fc.constantFrom("streaming" as const, "done" as const), { nil: undefined });

const textPart = fc
  .record({ text, state, providerMetadata })
  .map((p) => optional({ type: "text" as const, ...p }) as Part);
const reasoningPart = fc
  .record({ text, state, providerMetadata })
  .map((p) => optional({ type: "reasoning" as const, ...p }) as Part);
const filePart = fc
  .record({
    mediaType: fc.constantFrom("image/png", "application/pdf", "text/plain"),
    filename: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
    url: fc.oneof(
      fc.webUrl(),
      fc.base64String({ maxLength: 40 }).map((data) => `data:application/octet-stream;base64,${data}`),
    ),
  })
  .map((p) => optional({ type: "file" as const, ...p }) as Part);
const sourceUrlPart = fc
  .record({ sourceId: id, url: fc.webUrl(), title: fc.option(text, { nil: undefined }), providerMetadata })
  .map((p) => optional({ type: "source-url" as const, ...p }) as Part);
const sourceDocumentPart = fc
  .record({
    sourceId: id,
    mediaType: fc.constantFrom("application/pdf", "text/html"),
    title: text,
    filename: fc.option(text, { nil: undefined }),
  })
  .map((p) => optional({ type: "source-document" as const, ...p }) as Part);
const dataPart = fc
  .record({ name, id: fc.option(id, { nil: undefined }), data: json })
  .map(({ name, ...p }) => optional({ type: `data-${name}` as const, ...p }) as Part);
const stepStart = fc.constant({ type: "step-start" } as Part);

const TOOL_STATES = [
  "input-streaming",
  "input-available",
  "approval-requested",
  "approval-responded",
  "output-available",
  "output-error",
  "output-denied",
] as const;

/** A tool part (static or dynamic) in any state, with the fields that state allows. */
function toolPart(toolCallId: string): fc.Arbitrary<Part> {
  return fc
    .record({
      dynamic: fc.boolean(),
      name,
      state: fc.constantFrom(...TOOL_STATES),
      input: jsonObject,
      output: json,
      errorText: text,
      approvalId: id,
      approved: fc.boolean(),
      reason: fc.option(text, { nil: undefined }),
      title: fc.option(text, { nil: undefined }),
      providerExecuted: fc.option(fc.boolean(), { nil: undefined }),
      callProviderMetadata: providerMetadata,
    })
    .map((r) => {
      const head = r.dynamic ? { type: "dynamic-tool", toolName: r.name } : { type: `tool-${r.name}` };
      const base = optional({
        ...head,
        toolCallId,
        title: r.title,
        providerExecuted: r.providerExecuted,
        callProviderMetadata: r.callProviderMetadata,
        state: r.state,
      });
      switch (r.state) {
        case "input-streaming":
          return { ...base, input: r.input } as Part;
        case "input-available":
          return { ...base, input: r.input } as Part;
        case "approval-requested":
          return { ...base, input: r.input, approval: { id: r.approvalId } } as Part;
        case "approval-responded":
          return {
            ...base,
            input: r.input,
            approval: optional({ id: r.approvalId, approved: r.approved, reason: r.reason }),
          } as Part;
        case "output-available":
          return { ...base, input: r.input, output: r.output } as Part;
        case "output-error":
          return { ...base, input: r.input, errorText: r.errorText } as Part;
        default:
          return {
            ...base,
            input: r.input,
            approval: optional({ id: r.approvalId, approved: false, reason: r.reason }),
          } as Part;
      }
    });
}

const otherPart = fc.oneof(
  textPart,
  reasoningPart,
  filePart,
  sourceUrlPart,
  sourceDocumentPart,
  dataPart,
  stepStart,
);

export const assistantMessage = (messageId: string): fc.Arbitrary<UIMessage> =>
  fc
    .record({
      kinds: fc.array(fc.boolean(), { maxLength: 8 }),
      metadata: fc.option(jsonObject, { nil: undefined }),
    })
    .chain(({ kinds, metadata }) =>
      fc
        .tuple(...kinds.map((isTool, i) => (isTool ? toolPart(`${messageId}-call-${i}`) : otherPart)))
        .map(
          (parts) => optional({ id: messageId, role: "assistant" as const, parts, metadata }) as UIMessage,
        ),
    );

export const userMessage = (messageId: string): fc.Arbitrary<UIMessage> =>
  fc
    .record({
      parts: fc.array(fc.oneof(textPart, filePart, dataPart), { minLength: 1, maxLength: 3 }),
      metadata: fc.option(jsonObject, { nil: undefined }),
    })
    .map(
      ({ parts, metadata }) =>
        optional({ id: messageId, role: "user" as const, parts, metadata }) as UIMessage,
    );

/** A conversation: alternating user and assistant messages with distinct ids. */
export const conversation = fc
  .integer({ min: 1, max: 6 })
  .chain((n) =>
    fc.tuple(
      ...Array.from({ length: n }, (_, i) =>
        i % 2 === 0 ? userMessage(`u${i}`) : assistantMessage(`a${i}`),
      ),
    ),
  );
