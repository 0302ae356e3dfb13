import { calculatorTool } from "./calculator.ts";
import { getTimeTool } from "./get-time.ts";

/** The tools every turn offers the model, by the name the model calls them. */
export const builtinTools = {
  get_time: getTimeTool,
  calculator: calculatorTool,
};

export type BuiltinToolName = keyof typeof builtinTools;
