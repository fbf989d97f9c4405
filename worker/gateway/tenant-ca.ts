// Each tenant's certificate authority for the TLS the gateway opens (only for hosts that
// carry a grant or a method/path rule). Its key stays in the worker's state folder; only
// its certificate goes to agents. Leaf certificates are made on demand and cached.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { createSecureContext, type SecureContext } from "node:tls";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const day = 24 * 60 * 60 * 1000;
const maxLeaves = 500;

function serial(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
    .toString("hex")
    .replace(/^[89a-f]/, "1");
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key as webcrypto.CryptoKey));
  return `-----BEGIN PRIVATE KEY-----\n${der
    .toString("base64")
    .match(/.{1,64}/g)
    ?.join("\n")}\n-----END PRIVATE KEY-----\n`;
}

async function importKeyPem(pem: string): Promise<CryptoKey> {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64");
  return (await webcrypto.subtle.importKey("pkcs8", der, algorithm, true, ["sign"])) as CryptoKey;
}

export class TenantCa {
  private readonly leaves = new Map<string, Promise<SecureContext>>();
  private leafKeys: Promise<CryptoKeyPair> | null = null;

  private constructor(
    readonly certificatePem: string,
    private readonly cert: x509.X509Certificate,
    private readonly key: CryptoKey,
  ) {}

  /** The tenant's CA from `dir`, made (and kept, mode 600) the first time. */
  static async load(dir: string, tenantSlug: string): Promise<TenantCa> {
    const certFile = path.join(dir, "ca.crt");
    const keyFile = path.join(dir, "ca.key");
    if (existsSync(certFile) && existsSync(keyFile)) {
      const pem = await readFile(certFile, "utf8");
      return new TenantCa(
        pem,
        new x509.X509Certificate(pem),
        await importKeyPem(await readFile(keyFile, "utf8")),
      );
    }
    const keys = (await webcrypto.subtle.generateKey(algorithm, true, [
      "sign",
      "verify",
    ])) as CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name: `CN=Corral egress gateway CA for ${tenantSlug.replace(/[,=+<>#;"\\]/g, "")}, O=Corral`,
      notBefore: new Date(Date.now() - day),
      notAfter: new Date(Date.now() + 3650 * day),
      keys,
      signingAlgorithm: algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    const pem = cert.toString("pem");
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(keyFile, await exportKeyPem(keys.privateKey), { mode: 0o600 });
    await writeFile(certFile, pem, { mode: 0o644 });
    return new TenantCa(pem, cert, keys.privateKey);
  }

  /** A TLS context presenting a certificate for `host`, signed by this CA. */
  contextFor(host: string): Promise<SecureContext> {
    let leaf = this.leaves.get(host);
    if (!leaf) {
      if (this.leaves.size >= maxLeaves)
        this.leaves.delete(this.leaves.keys().next().value as string);
      leaf = this.makeLeaf(host);
      leaf.catch(() => this.leaves.delete(host));
      this.leaves.set(host, leaf);
    }
    return leaf;
  }

  private async makeLeaf(host: string): Promise<SecureContext> {
    // One key pair serves every leaf of this tenant: only the names differ.
    this.leafKeys ??= webcrypto.subtle.generateKey(algorithm, true, [
      "sign",
      "verify",
    ]) as Promise<CryptoKeyPair>;
    const keys = await this.leafKeys;
    const isIp = /^[0-9.]+$|:/.test(host);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: `CN=${host}`,
      issuer: this.cert.subject,
      notBefore: new Date(Date.now() - day),
      notAfter: new Date(Date.now() + 30 * day),
      publicKey: keys.publicKey,
      signingKey: this.key,
      signingAlgorithm: algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([{ type: isIp ? "ip" : "dns", value: host }]),
        await x509.AuthorityKeyIdentifierExtension.create(this.cert),
      ],
    });
    return createSecureContext({
      key: await exportKeyPem(keys.privateKey),
      cert: `${cert.toString("pem")}\n${this.certificatePem}`,
    });
  }
}
