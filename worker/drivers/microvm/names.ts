// Every name and path the microvm driver gives a tenant's machine. Derived from ids alone, so
// after a worker crash the same call finds what the first one made: one folder per tenant
// (mode 700: only the worker reaches its sockets, keys and disk), holding the QEMU pid file.
import path from "node:path";
import { CA_BUNDLE_NAME, GATEWAY_SOCKET_NAME, nameSafe } from "../engine-container/names.ts";

export const DRIVER_NAME = "microvm";

/** Inside the guest: where QEMU's user network forwards to the tenant's gateway socket. */
export const GUEST_GATEWAY_FORWARD = { address: "10.0.2.100", port: 3128 } as const;
/** Inside the guest: its address on QEMU's user network and the engine API's TLS port. */
export const GUEST_ADDRESS = "10.0.2.15";
export const GUEST_API_PORT = 2376;

/** The longest path a unix socket may have (sun_path holds 108 bytes with the final NUL). */
const maxSocketPath = 107;

export interface MachineNames {
  tenantId: string;
  /** QEMU's -name: how the driver recognises its process (with the pid file). */
  processName: string;
  dir: string;
  /** The tenant id as given (the folder's name may be a hash of it). */
  tenantFile: string;
  pidFile: string;
  qmpSocket: string;
  controlSocket: string;
  /** The loopback port QEMU forwards to the guest's engine API, as chosen at start. */
  portFile: string;
  consoleLog: string;
  /** The tenant's copy-on-write disk (the engine's storage); its size bounds the tenant. */
  disk: string;
  /** Keys of the engine API's TLS: the guest's server key and the worker's client key. */
  tlsDir: string;
  /** Shared with the egress gateway: its socket for this tenant and the CA bundle. */
  runDir: string;
  gatewaySocketPath: string;
  caBundlePath: string;
}

export function machineNames(stateDir: string, hostKey: string, tenantId: string): MachineNames {
  const key = nameSafe(tenantId);
  const dir = path.join(stateDir, key);
  const runDir = path.join(dir, "run");
  const names: MachineNames = {
    tenantId,
    processName: `corral-microvm.${nameSafe(hostKey)}.${key}`,
    dir,
    tenantFile: path.join(dir, "tenant"),
    pidFile: path.join(dir, "qemu.pid"),
    qmpSocket: path.join(dir, "qmp.sock"),
    controlSocket: path.join(dir, "control.sock"),
    portFile: path.join(dir, "api-port"),
    consoleLog: path.join(dir, "console.log"),
    disk: path.join(dir, "disk.qcow2"),
    tlsDir: path.join(dir, "tls"),
    runDir,
    gatewaySocketPath: path.join(runDir, GATEWAY_SOCKET_NAME),
    caBundlePath: path.join(runDir, CA_BUNDLE_NAME),
  };
  for (const socket of [names.gatewaySocketPath, names.qmpSocket, names.controlSocket]) {
    if (Buffer.byteLength(socket) > maxSocketPath)
      throw new Error(
        `microvm socket path ${socket} is longer than ${maxSocketPath} bytes: choose a shorter stateDir`,
      );
  }
  // QEMU splits options at commas: a path holding one would change the command line.
  if (dir.includes(",")) throw new Error(`microvm state folder ${dir} must not contain a comma`);
  return names;
}
