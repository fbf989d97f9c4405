// The agent's workspace (/workspace, or CORRAL_WORKSPACE): the file tools stay inside it, each
// task's inputs and instructions are written into it, and MEMORY.md in it carries notes from
// one task to the next.
import { lstat, mkdir, readFile, realpath, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Task } from "./contract.ts";

/** A tool's failure, told to the model as an error result (not a crash). */
export class ToolError extends Error {}

export class Workspace {
  private constructor(
    /** The workspace's real path (symlinks resolved). */
    readonly root: string,
  ) {}

  static async open(root: string): Promise<Workspace> {
    await mkdir(root, { recursive: true });
    return new Workspace(await realpath(root));
  }

  /**
   * The real path `input` names (relative paths are relative to the workspace), when it lies
   * inside the workspace once `..` and symlinks are resolved; throws a ToolError otherwise. A
   * guard for the file tools, not a security boundary: the container is that (bash can go
   * anywhere the container lets it).
   */
  async resolve(input: unknown): Promise<string> {
    if (typeof input !== "string" || input.trim() === "") {
      throw new ToolError("path must be a non-empty string");
    }
    const wanted = path.resolve(this.root, input);
    // Resolve the deepest part that exists; the rest is to be created.
    let existing = wanted;
    const missing: string[] = [];
    for (;;) {
      try {
        existing = await realpath(existing);
        break;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== "ENOENT" && code !== "ENOTDIR") throw error;
        const parent = path.dirname(existing);
        if (parent === existing) break;
        missing.unshift(path.basename(existing));
        existing = parent;
      }
    }
    const first = missing[0];
    if (first !== undefined) {
      // A dangling symlink would be followed when the file is written.
      const link = await lstat(path.join(existing, first)).catch(() => null);
      if (link?.isSymbolicLink()) throw new ToolError(`${input} is a symlink to nowhere`);
    }
    const resolved = path.join(existing, ...missing);
    if (resolved !== this.root && !resolved.startsWith(this.root + path.sep)) {
      throw new ToolError(
        `${input} is outside the workspace (${this.root}); the file tools only work inside it`,
      );
    }
    return resolved;
  }

  /** Where a task's input files go: inputs/<task id>/. */
  inputsDir(taskId: string): string {
    return path.join(this.root, "inputs", safeName(taskId, "task"));
  }

  /** Writes the task's inputs and instructions; returns the inputs' paths. */
  async prepare(task: Task): Promise<string[]> {
    const corral = path.join(this.root, ".corral");
    await mkdir(corral, { recursive: true });
    await writeFile(path.join(corral, "instructions.md"), task.instructions);
    const written: string[] = [];
    if (task.inputs.length === 0) return written;
    const dir = this.inputsDir(task.id);
    await mkdir(dir, { recursive: true });
    const used = new Set<string>();
    for (const [index, input] of task.inputs.entries()) {
      let name = safeName(input.name, `input-${index + 1}`);
      for (let n = 2; used.has(name); n++) name = `${n}-${safeName(input.name, "input")}`;
      used.add(name);
      const file = path.join(dir, name);
      await writeFile(file, Buffer.from(input.contentBase64, "base64"));
      written.push(file);
    }
    return written;
  }

  /** MEMORY.md's text, if any, cut to `limit` characters. */
  async memory(limit = 20_000): Promise<string | null> {
    const text = await readFile(path.join(this.root, "MEMORY.md"), "utf8").catch(() => null);
    if (text === null) return null;
    return text.length > limit
      ? `${text.slice(0, limit)}\n… (MEMORY.md cut at ${limit} characters)`
      : text;
  }
}

/** A file name that stays one path segment: its last segment, odd characters made `_`. */
export function safeName(name: string, fallback: string): string {
  const last = name.split(/[\\/]/).pop() ?? "";
  const cleaned = last
    .replace(/[^A-Za-z0-9._ -]/g, "_")
    .trim()
    .slice(0, 200);
  return cleaned === "" || /^\.+$/.test(cleaned) ? fallback : cleaned;
}
