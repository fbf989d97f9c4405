// The keys of a guest's engine API. The guest's TLS listener (socat) accepts only the worker's
// client certificate, and the worker trusts only the guest's server certificate: both are
// self-signed, made per tenant by openssl, kept in the tenant's mode-700 folder, and sent to the
// guest over the control channel after every boot or restore (a snapshot holds none).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface ApiKeys {
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

async function selfSigned(dir: string, name: string, extensions: string[]): Promise<void> {
  await run("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-days",
    "3650",
    "-subj",
    `/CN=${name}`,
    ...extensions.flatMap((extension) => ["-addext", extension]),
    "-keyout",
    path.join(dir, `${name}.key`),
    "-out",
    path.join(dir, `${name}.pem`),
  ]);
}

/** The tenant's keys, made once (a folder appears whole, by rename, or not at all). */
export async function ensureApiKeys(tlsDir: string): Promise<ApiKeys> {
  if (!existsSync(path.join(tlsDir, "client.pem"))) {
    const scratch = `${tlsDir}.new`;
    await rm(scratch, { recursive: true, force: true });
    await mkdir(scratch, { mode: 0o700 });
    await selfSigned(scratch, "server", ["subjectAltName=IP:127.0.0.1"]);
    await selfSigned(scratch, "client", ["extendedKeyUsage=clientAuth"]);
    await rm(tlsDir, { recursive: true, force: true });
    await rename(scratch, tlsDir);
  }
  const read = (file: string) => readFile(path.join(tlsDir, file), "utf8");
  return {
    serverCert: await read("server.pem"),
    serverKey: await read("server.key"),
    clientCert: await read("client.pem"),
    clientKey: await read("client.key"),
  };
}
