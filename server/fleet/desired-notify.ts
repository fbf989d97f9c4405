// Waking long-polling workers the moment their desired state changes: bumpHosts sends a
// NOTIFY in the changing transaction (delivered on commit); see server/core/notify.ts.
import { channels, waitFor } from "../core/notify.ts";

export const desiredChannel = channels.desired;

/** Resolves when `hostId`'s desired state may have changed, or after `ms`. */
export function waitForDesiredChange(hostId: string, ms: number, signal?: AbortSignal) {
  return waitFor(channels.desired, hostId, ms, signal);
}
