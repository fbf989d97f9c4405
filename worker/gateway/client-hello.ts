// Reads the server name (SNI) from a TLS ClientHello without terminating TLS, so tunnelled
// connections can be held to the host the agent named in CONNECT.

/** The SNI host name; null when the bytes are TLS without SNI; undefined when not TLS. */
export function serverNameOf(hello: Buffer): string | null | undefined {
  // Record header: type 22 (handshake), version, length; then handshake type 1 (ClientHello).
  if (hello.length < 6 || hello[0] !== 0x16 || hello[5] !== 0x01) return undefined;
  let at = 5 + 4 + 2 + 32; // handshake header, client version, random
  const need = (n: number) => at + n <= hello.length;
  if (!need(1)) return null;
  at += 1 + (hello[at] as number); // session id
  if (!need(2)) return null;
  at += 2 + hello.readUInt16BE(at); // cipher suites
  if (!need(1)) return null;
  at += 1 + (hello[at] as number); // compression methods
  if (!need(2)) return null;
  const end = Math.min(hello.length, at + 2 + hello.readUInt16BE(at));
  at += 2;
  while (at + 4 <= end) {
    const type = hello.readUInt16BE(at);
    const length = hello.readUInt16BE(at + 2);
    at += 4;
    if (type === 0 && at + 5 <= end) {
      // server_name list: length(2), name type(1) = 0 host_name, name length(2), name.
      const nameLength = hello.readUInt16BE(at + 3);
      if (hello[at + 2] === 0 && at + 5 + nameLength <= end)
        return hello
          .subarray(at + 5, at + 5 + nameLength)
          .toString("ascii")
          .toLowerCase();
      return null;
    }
    at += length;
  }
  return null;
}

/** The Host header of a plain HTTP request at the start of `bytes`, if it is one. */
export function httpHostOf(bytes: Buffer): string | undefined {
  const head = bytes.subarray(0, 8192).toString("latin1");
  if (!/^[A-Z]+ \S+ HTTP\/1\.[01]\r\n/.test(head)) return undefined;
  const match = /\r\nhost:[ \t]*([^\r\n]+)/i.exec(head);
  return match?.[1]?.trim().toLowerCase().replace(/:\d+$/, "");
}
