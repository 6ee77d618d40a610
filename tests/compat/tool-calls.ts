/**
 * The tool calls of a stored message, which every dialect stores in OpenAI's shape (`tool_calls`, arguments as JSON
 * text), whatever shape the library sent them in (the GenAI conventions' `tool_call` parts, the AI SDK's own…).
 */
export function toolCallsOf(message: unknown): { name: unknown; arguments: unknown }[] {
  if (typeof message !== "object" || message === null) return [];
  const m = message as { tool_calls?: unknown };
  if (!Array.isArray(m.tool_calls)) return [];
  return m.tool_calls.map((c: { type?: unknown; function?: { name?: unknown; arguments?: unknown } }) => {
    if (c.type !== "function" || typeof c.function?.arguments !== "string")
      throw new Error(`not an OpenAI-style tool call: ${JSON.stringify(c)}`);
    return { name: c.function.name, arguments: JSON.parse(c.function.arguments) as unknown };
  });
}
