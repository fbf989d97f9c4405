// `npx tsx infra/images/build.ts`: builds Corral's images on this host's engine (DOCKER_HOST)
// and the microvm guest (in CORRAL_MICROVM_CACHE, default /var/cache/corral/microvm) when
// missing. Progress goes to stderr; stdout gets the references as env assignments:
//   eval "$(npx tsx infra/images/build.ts)"
import { describeError } from "../../common/errors.ts";
import { connectEngine } from "../../worker/engine/docker-engine.ts";
import { ensureGuestImage } from "./ensure-guest.ts";
import { ensureImages } from "./ensure-images.ts";

const dockerHost = process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock";

try {
  const images = await ensureImages(connectEngine(dockerHost));
  process.stdout.write(`CORRAL_SANDBOX_IMAGE=${images.sandboxEngine}\n`);
  process.stdout.write(`CORRAL_AGENT_IMAGE=${images.agentBase}\n`);
  process.stdout.write(`CORRAL_AGENT_RUNTIME_IMAGE=${images.agentRuntime}\n`);
  process.stdout.write(`CORRAL_CLAUDE_CODE_IMAGE=${images.claudeCode}\n`);
  // The microvm driver's guest (kernel, initramfs, root disk), cached by recipe tag.
  const guest = await ensureGuestImage();
  process.stdout.write(`CORRAL_MICROVM_GUEST=${guest.dir}\n`);
} catch (error) {
  process.stderr.write(`images: ${describeError(error)}\n`);
  process.exit(1);
}
