import { Play, Plus, Trash2 } from "lucide-react";
import { useState } from "react";
import type { ChatMessage, ReplayRequestInput } from "@shared/schemas/replay.ts";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { Field, Select, TextInput } from "../../components/form.tsx";
import { TextArea } from "./fields.tsx";
import type { LlmSpanPlan } from "./replay-api.ts";

const ROLES: ChatMessage["role"][] = ["system", "user", "assistant"];

interface PlaygroundFormProps {
  runId: string;
  span: LlmSpanPlan;
  onRun: (request: ReplayRequestInput) => void;
  pending: boolean;
  error: string | null;
  refusal: string | null;
  variantCount: number;
}

/** One LLM call as the span recorded it, editable: its messages, model and parameters. */
export function PlaygroundForm({ runId, span, onRun, pending, error, refusal }: PlaygroundFormProps) {
  const [messages, setMessages] = useState<ChatMessage[]>(() =>
    span.messages.length > 0 ? span.messages : [{ role: "user", content: "" }],
  );
  const [model, setModel] = useState(span.model ?? "");
  const [temperature, setTemperature] = useState(span.temperature === null ? "" : String(span.temperature));
  const [maxTokens, setMaxTokens] = useState(span.maxTokens === null ? "" : String(span.maxTokens));
  const [label, setLabel] = useState("");
  const edit = (i: number, patch: Partial<ChatMessage>) =>
    setMessages((prev) => prev.map((m, j) => (j === i ? { ...m, ...patch } : m)));
  const t = Number.parseFloat(temperature);
  const mt = Number.parseInt(maxTokens, 10);

  return (
    <form
      data-testid="playground-form"
      className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 bg-white shadow-xs dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900"
      onSubmit={(e) => {
        e.preventDefault();
        onRun({
          mode: "span",
          runId,
          spanId: span.spanId,
          messages,
          model: model.trim(),
          ...(Number.isNaN(t) ? {} : { temperature: t }),
          ...(Number.isNaN(mt) ? {} : { maxTokens: mt }),
          label: label.trim() || undefined,
        });
      }}
    >
      <div className="space-y-3 p-4">
        <h3 className="text-xs font-semibold tracking-wide text-zinc-500 uppercase dark:text-zinc-400">Messages</h3>
        <ol className="space-y-3">
          {messages.map((m, i) => (
            <li key={i} data-testid="playground-message" className="rounded-md ring-1 ring-zinc-200 dark:ring-zinc-800">
              <div className="flex items-center gap-2 border-b border-zinc-100 px-2 py-1.5 dark:border-zinc-800">
                <Select
                  aria-label={`Role of message ${i + 1}`}
                  width="w-32"
                  className="h-7 py-0 text-xs"
                  value={m.role}
                  onChange={(e) => edit(i, { role: e.target.value as ChatMessage["role"] })}
                >
                  {ROLES.map((r) => (
                    <option key={r}>{r}</option>
                  ))}
                </Select>
                <Button
                  variant="ghost-danger"
                  size="sm"
                  className="ml-auto"
                  aria-label={`Remove message ${i + 1}`}
                  disabled={messages.length === 1}
                  onClick={() => setMessages((prev) => prev.filter((_, j) => j !== i))}
                >
                  <Trash2 aria-hidden="true" className="size-3.5" />
                </Button>
              </div>
              <TextArea
                aria-label={`Content of message ${i + 1}`}
                value={m.content}
                minRows={2}
                onChange={(e) => edit(i, { content: e.target.value })}
                className="rounded-t-none shadow-none ring-0"
                data-testid="playground-content"
              />
            </li>
          ))}
        </ol>
        <Button size="sm" onClick={() => setMessages((prev) => [...prev, { role: "user", content: "" }])}>
          <Plus aria-hidden="true" className="size-3.5" />
          Add message
        </Button>
      </div>
      <div className="grid grid-cols-2 sm:grid-cols-[minmax(0,1fr)_6.5rem_7rem] gap-3 p-4">
        <Field label="Model" className="col-span-2 sm:col-span-1">
          {(ids) => (
            <TextInput
              {...ids}
              value={model}
              onChange={(e) => setModel(e.target.value)}
              data-testid="playground-model"
            />
          )}
        </Field>
        <Field label="Temperature">
          {(ids) => (
            <TextInput
              {...ids}
              type="number"
              min={0}
              max={2}
              step={0.1}
              placeholder="default"
              value={temperature}
              onChange={(e) => setTemperature(e.target.value)}
            />
          )}
        </Field>
        <Field label="Max tokens">
          {(ids) => (
            <TextInput
              {...ids}
              type="number"
              min={1}
              step={1}
              placeholder="default"
              value={maxTokens}
              onChange={(e) => setMaxTokens(e.target.value)}
            />
          )}
        </Field>
      </div>
      <div className="space-y-3 p-4">
        <Field label="Label">
          {(ids) => (
            <TextInput
              {...ids}
              value={label}
              maxLength={120}
              placeholder="Named after what you change"
              onChange={(e) => setLabel(e.target.value)}
            />
          )}
        </Field>
        {error && <Alert>{error}</Alert>}
        <div className="flex items-center gap-3">
          <Button
            type="submit"
            variant="primary"
            pending={pending}
            disabled={refusal !== null || model.trim() === ""}
            data-testid="run-playground"
            title={refusal ?? undefined}
          >
            <Play aria-hidden="true" className="size-4" />
            Run
          </Button>
          <span className="text-xs text-zinc-500 dark:text-zinc-400">
            {refusal ?? "The answer streams in on the right."}
          </span>
        </div>
      </div>
    </form>
  );
}
