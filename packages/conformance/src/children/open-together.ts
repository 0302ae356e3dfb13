import { errorText, openRepository, readArgs, readyThenWaitForGo, report } from "./child-io.ts";

/**
 * Waits for "go", then opens (and so migrates) a database that does not exist yet, at the same
 * moment as the other children, and appends one event. Reports what happened.
 */
const args = readArgs<{ tag: string }>();
await readyThenWaitForGo();
try {
  const repo = await openRepository(args);
  const { added } = await repo.addEvent({
    conversationId: "opened-together",
    type: "user_message",
    role: "user",
    content: `hello from ${args.tag}`,
    extra: { request_id: args.tag },
  });
  await repo.close();
  report({ tag: args.tag, ok: added });
} catch (error) {
  report({ tag: args.tag, ok: false, error: errorText(error) });
  process.exitCode = 1;
}
