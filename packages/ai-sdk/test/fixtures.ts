import type { UIMessage } from "ai";

type Part = UIMessage["parts"][number];

const provider = { openai: { itemId: "item_1" } };

/** One assistant message per part type and tool state of ai 6, each with the parts around it. */
export const assistantParts: Record<string, Part[]> = {
  text: [
    { type: "step-start" },
    { type: "text", text: "Hello there", state: "done", providerMetadata: provider },
  ],
  "text streaming": [{ type: "step-start" }, { type: "text", text: "Hel", state: "streaming" }],
  "text with JSON-looking content": [{ type: "text", text: '[{"type":"text"}]' }],
  reasoning: [
    { type: "step-start" },
    { type: "reasoning", text: "Thinking about it", state: "done", providerMetadata: provider },
    { type: "text", text: "Done", state: "done" },
  ],
  "tool input-streaming": [
    { type: "step-start" },
    { type: "tool-weather", toolCallId: "call-1", state: "input-streaming", input: { city: "Par" } },
  ],
  "tool input-available": [
    { type: "step-start" },
    {
      type: "tool-weather",
      toolCallId: "call-1",
      state: "input-available",
      input: { city: "Paris" },
      title: "Weather",
    },
  ],
  "tool approval-requested": [
    { type: "step-start" },
    {
      type: "tool-deleteFile",
      toolCallId: "call-2",
      state: "approval-requested",
      input: { path: "/tmp/x" },
      approval: { id: "approval-1" },
    },
  ],
  "tool approval-responded": [
    { type: "step-start" },
    {
      type: "tool-deleteFile",
      toolCallId: "call-2",
      state: "approval-responded",
      input: { path: "/tmp/x" },
      approval: { id: "approval-1", approved: true, reason: "fine" },
    },
  ],
  "tool output-available": [
    { type: "step-start" },
    { type: "text", text: "Let me check.", state: "done" },
    {
      type: "tool-weather",
      toolCallId: "call-1",
      state: "output-available",
      input: { city: "Paris" },
      output: { temperature: 21, unit: "C" },
      callProviderMetadata: provider,
    },
    { type: "step-start" },
    { type: "text", text: "It is 21 C in Paris.", state: "done" },
  ],
  "tool output-available preliminary": [
    {
      type: "tool-search",
      toolCallId: "call-5",
      state: "output-available",
      input: { q: "x" },
      output: { partial: true },
      preliminary: true,
    },
  ],
  "tool output-available after approval": [
    {
      type: "tool-deleteFile",
      toolCallId: "call-2",
      state: "output-available",
      input: { path: "/tmp/x" },
      output: "deleted",
      approval: { id: "approval-1", approved: true },
    },
  ],
  "tool output-error": [
    { type: "step-start" },
    {
      type: "tool-weather",
      toolCallId: "call-3",
      state: "output-error",
      input: { city: "Atlantis" },
      errorText: "unknown city",
    },
  ],
  "tool output-denied": [
    { type: "step-start" },
    {
      type: "tool-deleteFile",
      toolCallId: "call-4",
      state: "output-denied",
      input: { path: "/etc" },
      approval: { id: "approval-2", approved: false, reason: "not allowed" },
    },
  ],
  "tool provider-executed": [
    {
      type: "tool-web_search",
      toolCallId: "call-6",
      state: "output-available",
      input: { query: "chatlog" },
      output: [{ url: "https://example.com" }],
      providerExecuted: true,
    },
  ],
  "dynamic-tool input-available": [
    {
      type: "dynamic-tool",
      toolName: "mcp_lookup",
      toolCallId: "call-7",
      state: "input-available",
      input: { id: 1 },
    },
  ],
  "dynamic-tool output-available": [
    {
      type: "dynamic-tool",
      toolName: "mcp_lookup",
      toolCallId: "call-7",
      state: "output-available",
      input: { id: 1 },
      output: { name: "one" },
    },
  ],
  "dynamic-tool output-error": [
    {
      type: "dynamic-tool",
      toolName: "mcp_lookup",
      toolCallId: "call-8",
      state: "output-error",
      input: {},
      errorText: "boom",
    },
  ],
  "dynamic-tool output-denied": [
    {
      type: "dynamic-tool",
      toolName: "mcp_lookup",
      toolCallId: "call-9",
      state: "output-denied",
      input: {},
      approval: { id: "approval-3", approved: false },
    },
  ],
  "dynamic-tool approval-requested": [
    {
      type: "dynamic-tool",
      toolName: "mcp_lookup",
      toolCallId: "call-10",
      state: "approval-requested",
      input: { id: 2 },
      approval: { id: "approval-4" },
    },
  ],
  file: [{ type: "file", mediaType: "image/png", filename: "dot.png", url: "https://example.com/dot.png" }],
  "file data URL": [
    {
      type: "file",
      mediaType: "image/png",
      url: "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR4nGNgYAAAAAMAASsJTYQAAAAASUVORK5CYII=",
    },
  ],
  "source-url": [
    {
      type: "source-url",
      sourceId: "src-1",
      url: "https://example.com/a",
      title: "A",
      providerMetadata: provider,
    },
  ],
  "source-document": [
    {
      type: "source-document",
      sourceId: "src-2",
      mediaType: "application/pdf",
      title: "Spec",
      filename: "spec.pdf",
    },
  ],
  "data-*": [
    {
      type: "data-weather",
      id: "w-1",
      data: { city: "Paris", status: "loading", nested: [1, "two", null, { x: false }] },
    },
    { type: "data-notice", data: "plain string" },
  ],
  "step-start": [{ type: "step-start" }, { type: "step-start" }],
  empty: [],
};

export const userParts: Record<string, Part[]> = {
  text: [{ type: "text", text: "What is the weather in Paris?" }],
  "text and file": [
    { type: "text", text: "What is in this picture?" },
    { type: "file", mediaType: "image/png", filename: "a.png", url: "data:image/png;base64,AAAA" },
  ],
  "data part": [
    { type: "text", text: "hi" },
    { type: "data-context", data: { page: "/settings" } },
  ],
};
