import { chatlogVitestConfig } from "../../vitest.shared.ts";

export default chatlogVitestConfig({ postgres: true });
