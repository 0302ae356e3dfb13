import { tool } from "ai";
import { z } from "zod";

/**
 * Evaluates + - * / and parentheses over decimal numbers with a small recursive-descent
 * parser: never `eval`, since the expression comes from a model (or a user through it).
 */
export function evaluateExpression(expression: string): number {
  const tokens = expression.match(/\d+(?:\.\d+)?|[-+*/()]|\S/g) ?? [];
  let at = 0;
  const peek = () => tokens[at];
  const take = () => tokens[at++];

  function primary(): number {
    const token = take();
    if (token === "(") {
      const value = sum();
      if (take() !== ")") throw new Error("missing )");
      return value;
    }
    if (token === "-") return -primary();
    if (token !== undefined && /^\d/.test(token)) return Number(token);
    throw new Error(`unexpected ${token ?? "end of expression"}`);
  }
  function product(): number {
    let value = primary();
    for (let op = peek(); op === "*" || op === "/"; op = peek()) {
      take();
      const right = primary();
      value = op === "*" ? value * right : value / right;
    }
    return value;
  }
  function sum(): number {
    let value = product();
    for (let op = peek(); op === "+" || op === "-"; op = peek()) {
      take();
      const right = product();
      value = op === "+" ? value + right : value - right;
    }
    return value;
  }

  const value = sum();
  if (at !== tokens.length) throw new Error(`unexpected ${tokens[at]}`);
  if (!Number.isFinite(value)) throw new Error("the result is not a finite number");
  return value;
}

export const calculatorTool = tool({
  description: "Evaluates an arithmetic expression with + - * / and parentheses.",
  inputSchema: z.object({ expression: z.string().min(1).max(200) }),
  execute: async ({ expression }) => {
    try {
      return { expression, result: evaluateExpression(expression) };
    } catch (error) {
      return { expression, error: (error as Error).message };
    }
  },
});
