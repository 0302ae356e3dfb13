import { chatlogVitestConfig } from "../../vitest.shared.ts";

export default chatlogVitestConfig({ slow: true, postgres: true });
