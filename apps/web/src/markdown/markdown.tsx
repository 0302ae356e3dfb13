import type { ComponentProps } from "react";
import {
  type Components,
  type ControlsConfig,
  defaultRehypePlugins,
  defaultRemarkPlugins,
  type ExtraProps,
  type PluginConfig,
  Streamdown,
  type StreamdownProps,
  type StreamdownTranslations,
} from "streamdown";
import { remarkHtmlAsText } from "./html-as-text.ts";
import { lazyCode } from "./lazy-code.ts";

type PluggableList = NonNullable<StreamdownProps["rehypePlugins"]>;
type Pluggable = PluggableList[number];

/** One of Streamdown's own rehype plugins, by its name there. */
function streamdownRehype(name: "sanitize" | "harden"): Pluggable {
  const plugin = defaultRehypePlugins[name];
  if (plugin === undefined) throw new Error(`streamdown has no ${name} plugin`);
  return plugin;
}

/**
 * Links open in a new tab that cannot reach back into this page (noopener) and learn nothing
 * about it (noreferrer). Streamdown's own link is a button with a confirm dialog, or an anchor
 * without noopener; a plain anchor is what people expect of a chat.
 */
function SafeLink({ href, children }: ComponentProps<"a"> & ExtraProps) {
  return (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  );
}

const PLUGINS: PluginConfig = { code: lazyCode };
// Raw HTML never becomes markup (remarkHtmlAsText); sanitize and harden stay as a second fence
// (harden keeps only http(s) and mailto links). rehype-raw is left out: nothing is HTML.
const REHYPE: PluggableList = [
  streamdownRehype("sanitize"),
  [
    (streamdownRehype("harden") as unknown[])[0],
    {
      allowedLinkPrefixes: ["*"],
      allowedImagePrefixes: ["*"],
      allowedProtocols: ["http", "https", "mailto"],
      allowDataImages: false,
    },
  ] as Pluggable,
];
const REMARK: PluggableList = [...Object.values(defaultRemarkPlugins), remarkHtmlAsText];
const CONTROLS: ControlsConfig = { code: { copy: true, download: false }, table: false };
const COMPONENTS: Components = { a: SafeLink };
const TRANSLATIONS: Partial<StreamdownTranslations> = { copyCode: "Copy code", copied: "Copied" };

interface Props {
  text: string;
  /** Still streaming: unfinished syntax (an open fence, a half link) is completed, not shown raw. */
  streaming: boolean;
}

/**
 * Model text as markdown, with Streamdown: it is made for text that arrives in pieces (it
 * closes unterminated bold, code fences and links while they stream, so they do not flicker
 * into raw characters and back) and highlights fenced code with Shiki (loaded with the first
 * code block: lazy-code.ts), with a copy button.
 */
export function Markdown({ text, streaming }: Props) {
  return (
    <Streamdown
      className="markdown"
      mode={streaming ? "streaming" : "static"}
      isAnimating={streaming}
      plugins={PLUGINS}
      remarkPlugins={REMARK}
      rehypePlugins={REHYPE}
      components={COMPONENTS}
      controls={CONTROLS}
      linkSafety={{ enabled: false }}
      lineNumbers={false}
      translations={TRANSLATIONS}
    >
      {text}
    </Streamdown>
  );
}
