// `npx tsx infra/images/build-service.ts [web] [worker] [--base IMAGE] [--commit REV]`: builds
// Corral's own images (the web app and the worker) on this host's engine (DOCKER_HOST) when
// their content tag is missing; both when none is named. Sources come from the work tree, or
// from a commit with --commit (edits in progress stay out). Without --base they stand on
// corral/service-base, built here from Debian packages (no registry); elsewhere pass an
// ordinary Node.js image, e.g. --base node:22-bookworm-slim. Progress goes to stderr; stdout
// gets the references:
//   eval "$(npx tsx infra/images/build-service.ts)"   # CORRAL_WEB_IMAGE=…, CORRAL_WORKER_IMAGE=…
import { parseArgs } from "node:util";
import { describeError } from "../../common/errors.ts";
import { connectEngine } from "../../worker/engine/docker-engine.ts";
import { ensureServiceImage, type ServiceName } from "./service-images.ts";

const dockerHost = process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock";

try {
  const { values, positionals } = parseArgs({
    options: { base: { type: "string" }, commit: { type: "string" } },
    allowPositionals: true,
  });
  const unknown = positionals.filter((name) => name !== "web" && name !== "worker");
  if (unknown.length > 0) throw new Error(`unknown image "${unknown[0]}": web or worker`);
  const services = (positionals.length > 0 ? positionals : ["web", "worker"]) as ServiceName[];
  const docker = connectEngine(dockerHost);
  for (const service of services) {
    const reference = await ensureServiceImage(docker, service, {
      base: values.base,
      commit: values.commit,
    });
    process.stdout.write(`CORRAL_${service.toUpperCase()}_IMAGE=${reference}\n`);
  }
} catch (error) {
  process.stderr.write(`images: ${describeError(error)}\n`);
  process.exit(1);
}
