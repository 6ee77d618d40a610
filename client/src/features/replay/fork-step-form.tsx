import { clsx } from "clsx";
import { useState } from "react";
import { Field, Select, TextInput } from "../../components/form.tsx";
import { JsonField, Segmented, TextArea } from "./fields.tsx";
import type { PlanStep } from "./replay-api.ts";

export type Override = Record<string, unknown>;

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The override with `key` set, or dropped when the value is the step's own again (the override stays minimal). */
export function withField(override: Override, definition: Record<string, unknown>, key: string, value: unknown) {
  const next = { ...override };
  if (value === undefined || sameJson(value, definition[key])) delete next[key];
  else next[key] = value;
  return next;
}

interface ForkStepFormProps {
  step: PlanStep;
  override: Override;
  onChange: (override: Override) => void;
  /** Which hand-typed JSON fields do not parse; Run waits until none. */
  onValidity: (field: string, ok: boolean) => void;
}

const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;

/** The fork step's config as a form (per step type), with the whole override as raw JSON on a second tab. */
export function ForkStepForm({ step, override, onChange, onValidity }: ForkStepFormProps) {
  const [tab, setTab] = useState<"form" | "json">("form");
  // Remounts the raw editor from the current override each time it opens.
  const [rawKey, setRawKey] = useState(0);
  const def = step.definition;
  const value = (key: string) => (key in override ? override[key] : def[key]);
  const set = (key: string, v: unknown) => onChange(withField(override, def, key, v));
  const text = (key: string) => {
    const v = value(key);
    return typeof v === "string" ? v : "";
  };
  const num = (key: string) => {
    const v = value(key);
    return typeof v === "number" ? String(v) : "";
  };
  const setNum = (key: string, raw: string, integer = false) => {
    const n = integer ? Number.parseInt(raw, 10) : Number.parseFloat(raw);
    set(key, raw === "" || Number.isNaN(n) ? undefined : n);
  };
  const json = (key: string) => (r: { ok: true; value: unknown } | { ok: false; error: string }) => {
    onValidity(key, r.ok);
    if (r.ok) set(key, r.value);
  };

  return (
    <div data-testid="fork-step-form" data-step-type={step.type}>
      <div className="mb-4 flex items-center justify-between gap-3">
        <Segmented
          label="Edit as"
          value={tab}
          onChange={(t) => {
            setTab(t);
            setRawKey((k) => k + 1);
          }}
          options={[
            { value: "form", label: "Form" },
            { value: "json", label: "Raw JSON" },
          ]}
          testId="fork-step-tab"
        />
        <span className="text-xs text-zinc-500 dark:text-zinc-400" data-testid="override-count">
          {Object.keys(override).length === 0
            ? "No changes yet"
            : `${Object.keys(override).length} ${Object.keys(override).length === 1 ? "field" : "fields"} changed`}
        </span>
      </div>
      {tab === "json" ? (
        <Field label="Override" hint="Fields that replace the step's own, as JSON. Checked against the step's schema.">
          {(ids) => (
            <JsonField
              key={rawKey}
              {...ids}
              minRows={8}
              value={override}
              testId="override-json"
              onChange={(r) => {
                const isObject =
                  r.ok &&
                  (r.value === undefined ||
                    (typeof r.value === "object" && !Array.isArray(r.value) && r.value !== null));
                onValidity("$raw", isObject);
                if (r.ok && isObject) onChange((r.value ?? {}) as Override);
              }}
            />
          )}
        </Field>
      ) : (
        <div className="space-y-4">
          {step.type === "llm" && (
            <>
              <Field label="System message">
                {(ids) => (
                  <TextArea
                    {...ids}
                    minRows={2}
                    value={text("system")}
                    onChange={(e) => set("system", e.target.value === "" ? undefined : e.target.value)}
                    data-testid="field-system"
                  />
                )}
              </Field>
              <Field
                label="Prompt"
                hint="Templates such as {{input.ticket}} or {{steps.lookup.output}} are filled in as the step runs."
              >
                {(ids) => (
                  <TextArea
                    {...ids}
                    minRows={4}
                    value={text("prompt")}
                    onChange={(e) => set("prompt", e.target.value)}
                    data-testid="field-prompt"
                  />
                )}
              </Field>
              <div className="grid grid-cols-2 sm:grid-cols-[minmax(0,1fr)_6.5rem_7rem] gap-3">
                <Field label="Model" className="col-span-2 sm:col-span-1">
                  {(ids) => (
                    <TextInput
                      {...ids}
                      value={text("model")}
                      onChange={(e) => set("model", e.target.value)}
                      data-testid="field-model"
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
                      value={num("temperature")}
                      placeholder="default"
                      onChange={(e) => setNum("temperature", e.target.value)}
                      data-testid="field-temperature"
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
                      value={num("maxTokens")}
                      placeholder="default"
                      onChange={(e) => setNum("maxTokens", e.target.value, true)}
                      data-testid="field-max-tokens"
                    />
                  )}
                </Field>
              </div>
            </>
          )}
          {step.type === "tool" && (
            <Field
              label={`Arguments of ${typeof def.tool === "string" ? def.tool : "the tool"}`}
              hint="JSON, passed to the tool as it runs in your connected runtime."
            >
              {(ids) => <JsonField {...ids} value={value("args")} onChange={json("args")} testId="field-args" />}
            </Field>
          )}
          {step.type === "http" && (
            <>
              <div className="grid grid-cols-[7rem_minmax(0,1fr)] gap-3">
                <Field label="Method">
                  {(ids) => (
                    <Select {...ids} value={text("method") || "GET"} onChange={(e) => set("method", e.target.value)}>
                      {HTTP_METHODS.map((m) => (
                        <option key={m}>{m}</option>
                      ))}
                    </Select>
                  )}
                </Field>
                <Field label="URL">
                  {(ids) => (
                    <TextInput
                      {...ids}
                      value={text("url")}
                      onChange={(e) => set("url", e.target.value)}
                      className="font-mono text-[13px]"
                    />
                  )}
                </Field>
              </div>
              <Field label="Headers" hint="A JSON object of header names to values.">
                {(ids) => <JsonField {...ids} minRows={2} value={value("headers")} onChange={json("headers")} />}
              </Field>
              <Field label="Body">
                {(ids) => <JsonField {...ids} value={value("body")} onChange={json("body")} />}
              </Field>
            </>
          )}
          {step.type === "code" && (
            <Field label="Code" hint="The body of an async function of `input` (the run's input and earlier steps).">
              {(ids) => (
                <TextArea
                  {...ids}
                  minRows={6}
                  value={text("code")}
                  onChange={(e) => set("code", e.target.value)}
                  className={clsx("text-[12px]")}
                />
              )}
            </Field>
          )}
        </div>
      )}
    </div>
  );
}
