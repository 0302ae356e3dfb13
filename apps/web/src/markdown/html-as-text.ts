/**
 * A remark plugin that turns raw HTML in markdown (`<script>`, `<img onerror>`, `<b>`) into
 * plain text: model output is shown as the characters the model wrote, never as markup the
 * browser would parse. Sanitizing would drop or rewrite such text; a reader should see it.
 */
interface Node {
  type: string;
  value?: string;
  children?: Node[];
}

function visit(node: Node): void {
  if (node.type === "html") node.type = "text";
  for (const child of node.children ?? []) visit(child);
}

export function remarkHtmlAsText() {
  return (tree: Node) => visit(tree);
}
