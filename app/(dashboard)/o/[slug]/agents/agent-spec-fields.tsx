"use client";
// The fields of an agent's spec, shared by the create and edit forms. Values are text while
// typed and become the API's input (the same zod schema judges both) with specFromText.
import { TextField } from "@/app/_components/text-field.tsx";
import { defaultAgentImage, parseEnvLines, splitCommand } from "@/server/agents/schemas.ts";

export const specFields = [
  "image",
  "command",
  "env",
  "cpuMillis",
  "memoryMb",
  "workspaceMb",
] as const;
export type SpecText = Record<(typeof specFields)[number], string>;

export function specText(agent?: {
  image: string;
  command: string[];
  env: unknown;
  cpuMillis: number;
  memoryMb: number;
  workspaceMb: number;
}): SpecText {
  if (!agent)
    return {
      image: defaultAgentImage,
      command: "",
      env: "",
      cpuMillis: "500",
      memoryMb: "256",
      workspaceMb: "512",
    };
  const quote = (part: string) => (/\s/.test(part) ? `"${part}"` : part);
  return {
    image: agent.image,
    command: agent.command.map(quote).join(" "),
    env: Object.entries(agent.env as Record<string, string>)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n"),
    cpuMillis: String(agent.cpuMillis),
    memoryMb: String(agent.memoryMb),
    workspaceMb: String(agent.workspaceMb),
  };
}

export function specFromText(v: SpecText) {
  const num = (s: string) => (s.trim() === "" ? Number.NaN : Number(s));
  return {
    image: v.image,
    command: splitCommand(v.command),
    env: parseEnvLines(v.env),
    cpuMillis: num(v.cpuMillis),
    memoryMb: num(v.memoryMb),
    workspaceMb: num(v.workspaceMb),
  };
}

export function AgentSpecFields(props: {
  idPrefix: string;
  values: SpecText;
  onValue: (field: keyof SpecText, value: string) => void;
  onTouch: (field: keyof SpecText) => void;
  errorFor: (field: keyof SpecText) => string | undefined;
}) {
  const { idPrefix, values, onValue, onTouch, errorFor } = props;
  const field = (
    name: keyof SpecText,
    label: string,
    extra: { hint?: string; inputMode?: "numeric" } = {},
  ) => (
    <TextField
      name={`${idPrefix}-${name}`}
      label={label}
      value={values[name]}
      onValue={(v) => onValue(name, v)}
      onBlur={() => onTouch(name)}
      error={errorFor(name)}
      {...extra}
    />
  );
  const envId = `${idPrefix}-env`;
  return (
    <>
      {field("image", "Image", { hint: "Built on every host; or any image your hosts can pull." })}
      {field("command", "Command", {
        hint: "Leave empty for the image's default. Quote parts with spaces.",
      })}
      <div className="space-y-1">
        <label htmlFor={envId} className="block text-sm font-medium">
          Environment (not secrets)
        </label>
        <textarea
          id={envId}
          rows={3}
          value={values.env}
          placeholder="LOG_LEVEL=info"
          onChange={(e) => onValue("env", e.target.value)}
          onBlur={() => onTouch("env")}
          aria-invalid={errorFor("env") ? true : undefined}
          aria-describedby={`${envId}-help`}
          className="block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 font-mono text-xs aria-invalid:border-red-500 dark:border-zinc-700 dark:bg-zinc-900"
        />
        <p
          id={`${envId}-help`}
          className={`text-xs ${errorFor("env") ? "text-red-700 dark:text-red-400" : "text-zinc-600 dark:text-zinc-400"}`}
        >
          {errorFor("env") ??
            "KEY=value per line. Secrets never go here: they stay outside the sandbox."}
        </p>
      </div>
      {field("cpuMillis", "CPU (millicores)", { inputMode: "numeric", hint: "1000 = one CPU." })}
      {field("memoryMb", "Memory (MiB)", { inputMode: "numeric" })}
      {field("workspaceMb", "Workspace (MiB)", { inputMode: "numeric" })}
    </>
  );
}
