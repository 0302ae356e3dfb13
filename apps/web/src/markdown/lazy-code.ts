import type { CodeHighlighterPlugin, ThemeInput } from "@streamdown/code";

/** Light and dark code themes (the ones @streamdown/code defaults to). */
const THEMES: [ThemeInput, ThemeInput] = ["github-light", "github-dark"];

let plugin: CodeHighlighterPlugin | null = null;
let loading: Promise<CodeHighlighterPlugin> | null = null;

/**
 * Shiki, with @streamdown/code around it, is most of the page's code: it is fetched the first
 * time a code block is shown, never before the first paint. A failed fetch (the server away)
 * is tried again by the next block; until then code shows unhighlighted.
 */
function loadPlugin(): Promise<CodeHighlighterPlugin> {
  loading ??= import("@streamdown/code").then(
    (module) => {
      plugin = module.createCodePlugin({ themes: THEMES });
      return plugin;
    },
    (error: unknown) => {
      loading = null;
      throw error;
    },
  );
  return loading;
}

/**
 * Streamdown's code plugin, standing in for @streamdown/code until it is loaded. Streamdown
 * asks `highlight` for tokens and takes them either as its result or through its callback
 * (Shiki's grammars load asynchronously anyway), so a highlighter that arrives later is one
 * callback more.
 */
export const lazyCode: CodeHighlighterPlugin = {
  name: "shiki",
  type: "code-highlighter",
  getThemes: () => THEMES,
  // Until Shiki is here every language is worth asking for: it falls back to plain text.
  supportsLanguage: (language) => plugin?.supportsLanguage(language) ?? true,
  getSupportedLanguages: () => plugin?.getSupportedLanguages() ?? [],
  highlight(options, callback) {
    if (plugin !== null) return plugin.highlight(options, callback);
    loadPlugin().then(
      (loaded) => {
        const result = loaded.highlight(options, callback);
        if (result !== null) callback?.(result);
      },
      (error: unknown) => console.warn("code highlighting is not available yet:", error),
    );
    return null;
  },
};
