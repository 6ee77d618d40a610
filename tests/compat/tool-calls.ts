/**
 * The tool calls of a stored message, whichever of the two shapes it is in: OpenAI's `tool_calls` list, or the
 * GenAI conventions' `tool_call` content parts. Both are shown by the dashboard.
 */
export function toolCallsOf(message: unknown): { name: unknown; arguments: unknown }[] {
  if (typeof message !== "object" || message === null) return [];
  const m = message as { tool_calls?: unknown; content?: unknown };
  if (Array.isArray(m.tool_calls))
    return m.tool_calls.map((c: { function?: { name?: unknown; arguments?: unknown } }) => ({
      name: c.function?.name,
      arguments: typeof c.function?.arguments === "string" ? JSON.parse(c.function.arguments) : c.function?.arguments,
    }));
  if (Array.isArray(m.content))
    return m.content
      .filter((p: { type?: unknown }) => p.type === "tool_call")
      .map((p: { name?: unknown; arguments?: unknown }) => ({
        name: p.name,
        arguments: typeof p.arguments === "string" ? JSON.parse(p.arguments) : p.arguments,
      }));
  return [];
}
