// The Helm chart, rendered by the real Helm with several value sets; every manifest it prints
// must pass Kubernetes' schema for its kind, and the pieces the fleet relies on must be there.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import {
  chartDir,
  helmBinary,
  lintChart,
  type Manifest,
  renderChart,
  validateManifest,
} from "./render.ts";

const run = promisify(execFile);

const required = {
  url: "https://corral.example.com",
  "image.web": "registry.example.com/corral/web:0.1.0",
  "image.worker": "registry.example.com/corral/worker:0.1.0",
  secretName: "corral",
};

const valueSets: Record<string, Record<string, unknown>> = {
  defaults: required,
  "no ingress, no worker, one replica": {
    ...required,
    "ingress.enabled": false,
    "worker.enabled": false,
    "web.replicas": 1,
  },
  "TLS, class, proxies, custom sandbox nodes and enrolment": {
    ...required,
    "ingress.className": "nginx",
    "ingress.tlsSecretName": "corral-tls",
    "ingress.annotations": { "nginx.ingress.kubernetes.io/proxy-body-size": "16m" },
    "web.trustedProxies": "10.0.0.0/8",
    "web.extraEnv": { CORRAL_MAIL_FROM: "Corral <corral@example.com>" },
    "worker.nodeSelector": { pool: "sandboxes" },
    "worker.tolerations": [
      { key: "dedicated", operator: "Equal", value: "sandboxes", effect: "NoSchedule" },
    ],
    "worker.sandboxRuntime": "sysbox-runc",
    "worker.enrolmentSecretName": "corral-enrolment",
    imagePullSecrets: [{ name: "registry" }],
  },
};

const byKind = (manifests: Manifest[], kind: string, suffix: string) =>
  manifests.find((m) => m.kind === kind && m.metadata.name.endsWith(suffix));

describe("the Helm chart (infra/helm/corral)", () => {
  it("is Helm's own v4 binary, and the chart lints clean", async () => {
    const { stdout } = await run(await helmBinary(), ["version", "--short"]);
    expect(stdout).toMatch(/^v\d+\.\d+\.\d+/);
    await lintChart(required);
  }, 60_000);

  for (const [name, values] of Object.entries(valueSets)) {
    it(`renders valid manifests: ${name}`, async () => {
      const manifests = await renderChart(values);
      expect(manifests.length).toBeGreaterThanOrEqual(4);
      for (const manifest of manifests) await validateManifest(manifest);
    }, 60_000);
  }

  it("has what the fleet needs: web behind Service and Ingress, migrations first, workers on sandbox nodes", async () => {
    const manifests = await renderChart(
      valueSets["TLS, class, proxies, custom sandbox nodes and enrolment"] as Record<
        string,
        unknown
      >,
    );
    const kinds = manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort();
    expect(kinds).toEqual([
      "DaemonSet/corral-worker",
      "Deployment/corral-jobs",
      "Deployment/corral-web",
      "Ingress/corral-web",
      "Job/corral-migrate",
      "Service/corral-web",
    ]);

    const web = byKind(manifests, "Deployment", "-web")?.spec;
    expect(web.replicas).toBe(2);
    const webPod = web.template.spec;
    expect(webPod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
    expect(webPod.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    expect(webPod.containers[0].envFrom).toEqual([{ secretRef: { name: "corral" } }]);
    expect(webPod.containers[0].readinessProbe.httpGet.path).toBe("/api/ready");
    expect(webPod.imagePullSecrets).toEqual([{ name: "registry" }]);

    const ingress = byKind(manifests, "Ingress", "-web")?.spec;
    expect(ingress.ingressClassName).toBe("nginx");
    expect(ingress.rules[0].host).toBe("corral.example.com");
    expect(ingress.tls).toEqual([{ hosts: ["corral.example.com"], secretName: "corral-tls" }]);

    const migrate = byKind(manifests, "Job", "-migrate");
    expect(migrate?.metadata.annotations?.["helm.sh/hook"]).toBe("pre-install,pre-upgrade");
    expect(migrate?.spec.template.spec.containers[0].args).toEqual([
      "node_modules/prisma/build/index.js",
      "migrate",
      "deploy",
    ]);

    const worker = byKind(manifests, "DaemonSet", "-worker")?.spec.template.spec;
    expect(worker.hostNetwork).toBe(true);
    // Helm merges a map given at install with the chart's default one.
    expect(worker.nodeSelector).toEqual({ "corral.dev/sandbox-node": "true", pool: "sandboxes" });
    expect(worker.tolerations[0].key).toBe("dedicated");
    const env = Object.fromEntries(
      worker.containers[0].env.map((e: { name: string; value?: string }) => [e.name, e.value]),
    );
    expect(env.CORRAL_CONTROL_PLANE_URL).toBe("http://corral-web.corral.svc:80");
    expect(env.CORRAL_SANDBOX_RUNTIME).toBe("sysbox-runc");
    expect(worker.volumes.map((v: { name: string }) => v.name)).toContain("enrolment");
  }, 60_000);

  it("refuses to render without the settings it cannot guess, in Helm's words", async () => {
    await expect(renderChart({ ...required, url: "" })).rejects.toThrow(/url is required/);
    await expect(renderChart({ ...required, secretName: "" })).rejects.toThrow(
      /secretName is required/,
    );
    await expect(
      renderChart({ ...required, url: "https://corral.example.com/app" }),
    ).rejects.toThrow(/url must be http\(s\):\/\/host with no path/);
  }, 60_000);

  it("the schema check bites: a wrong type or a missing required field fails", async () => {
    const [deployment] = (await renderChart(required)).filter((m) => m.kind === "Deployment");
    const broken = structuredClone(deployment) as Manifest;
    broken.spec.replicas = "two";
    await expect(validateManifest(broken)).rejects.toThrow(/replicas must be integer/);
    const headless = structuredClone(deployment) as Manifest;
    delete headless.spec.selector;
    await expect(validateManifest(headless)).rejects.toThrow(/selector/);
    await expect(
      validateManifest({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } }),
    ).rejects.toThrow(/no schema/);
    expect(chartDir).toMatch(/infra\/helm\/corral$/);
  }, 60_000);
});
