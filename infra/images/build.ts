// `npx tsx infra/images/build.ts`: builds Corral's images on this host's engine (DOCKER_HOST)
// when missing. Progress goes to stderr; stdout gets the references as env assignments:
//   eval "$(npx tsx infra/images/build.ts)"
import { describeError } from "../../server/core/errors.ts";
import { connectEngine } from "../../worker/engine/docker-engine.ts";
import { ensureImages } from "./ensure-images.ts";

const dockerHost = process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock";

try {
  const images = await ensureImages(connectEngine(dockerHost));
  process.stdout.write(`CORRAL_SANDBOX_IMAGE=${images.sandboxEngine}\n`);
  process.stdout.write(`CORRAL_AGENT_IMAGE=${images.agentBase}\n`);
  process.stdout.write(`CORRAL_AGENT_RUNTIME_IMAGE=${images.agentRuntime}\n`);
  process.stdout.write(`CORRAL_CLAUDE_CODE_IMAGE=${images.claudeCode}\n`);
} catch (error) {
  process.stderr.write(`images: ${describeError(error)}\n`);
  process.exit(1);
}
