// Waking long-polling workers the moment their desired state changes: bumpHosts sends a
// NOTIFY on this channel in the changing transaction (delivered on commit); the worker API's
// long-poll listens for it (server/core/notify.ts).
import { channels } from "../core/notify.ts";

export const desiredChannel = channels.desired;
