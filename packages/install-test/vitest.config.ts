import { chatlogVitestConfig } from "../../vitest.shared.ts";

// npm installs and real child processes: generous limits, one file at a time.
export default chatlogVitestConfig({ slow: true });
