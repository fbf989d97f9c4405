// Egress policy: what an agent may reach through the gateway, as data and as one pure
// decision function. The control plane validates policies with these schemas (API and forms),
// and the worker's gateway decides every connection and request with `decide`. It imports
// nothing but zod, so both sides can share it.
import { z } from "zod";

const label = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const hostPattern = new RegExp(`^(?:\\*\\.)?${label}(?:\\.${label})*$`);

/** An exact host name, or `*.example.com` for every subdomain of example.com (not itself). */
export const hostPatternSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, "Name a host")
  .max(253, "Host names are at most 253 characters")
  .regex(hostPattern, "A host such as api.example.com, or *.example.com for its subdomains");

export const httpMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

export const egressRuleSchema = z.object({
  action: z.enum(["allow", "deny"]),
  host: hostPatternSchema,
  /** Empty: any port. */
  ports: z.array(z.number().int().min(1).max(65535)).max(16).default([]),
  /** Empty: any method. Methods and paths are checked by reading the request (TLS is opened). */
  methods: z.array(z.enum(httpMethods)).max(httpMethods.length).default([]),
  /** Path prefixes; empty: any path. */
  paths: z.array(z.string().max(512).regex(/^\//, "Paths start with /")).max(16).default([]),
});

export const egressPresets = ["NONE", "MODEL_PROVIDER", "CUSTOM"] as const;
export type EgressPreset = (typeof egressPresets)[number];

export const egressPolicySchema = z.object({
  preset: z.enum(egressPresets),
  rules: z.array(egressRuleSchema).max(100, "At most 100 rules").default([]),
});

export const egressCeilingSchema = z.object({
  enabled: z.boolean(),
  hosts: z.array(hostPatternSchema).max(200, "At most 200 hosts").default([]),
});

export type EgressRule = z.infer<typeof egressRuleSchema>;
export type EgressPolicy = z.infer<typeof egressPolicySchema>;

/** Everything `decide` needs about one agent. */
export interface AgentEgress {
  preset: EgressPreset;
  rules: EgressRule[];
  /** Hosts of the agent's grants: what the model-provider preset opens. */
  grantHosts: string[];
  /** The organisation's ceiling, or null when there is none. */
  ceiling: string[] | null;
  quarantined: boolean;
}

/** A connection (method and path not known yet) or a request. */
export interface EgressTarget {
  host: string;
  port: number;
  method?: string;
  path?: string;
}

export interface EgressDecision {
  allowed: boolean;
  /** Why, for the agent's 403, the audit log and the live view. */
  reason: string;
  /** Methods or paths matter for this host: the gateway must read the requests (open TLS). */
  inspect: boolean;
}

export function hostMatches(pattern: string, host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, "");
  if (pattern.startsWith("*.")) return name.endsWith(pattern.slice(1));
  return name === pattern;
}

/** The path without query, with dot segments and their encodings resolved. */
export function normalisePath(path: string): string {
  try {
    return new URL(path.startsWith("/") ? path : `/${path}`, "http://gateway.invalid").pathname;
  } catch {
    return "/";
  }
}

const pathUnder = (prefix: string, path: string) =>
  path === prefix || path.startsWith(prefix.endsWith("/") ? prefix : `${prefix}/`);

/** "yes", "no", or "maybe" (the rule names methods or paths and the target has none yet). */
function ruleMatches(rule: EgressRule, target: EgressTarget): "yes" | "no" | "maybe" {
  if (!hostMatches(rule.host, target.host)) return "no";
  if (rule.ports.length > 0 && !rule.ports.includes(target.port)) return "no";
  const narrowed = rule.methods.length > 0 || rule.paths.length > 0;
  if (!narrowed) return "yes";
  if (target.method === undefined || target.path === undefined) return "maybe";
  const method = target.method.toUpperCase();
  if (rule.methods.length > 0 && !rule.methods.includes(method as EgressRule["methods"][number]))
    return "no";
  const path = normalisePath(target.path);
  if (rule.paths.length > 0 && !rule.paths.some((prefix) => pathUnder(prefix, path))) return "no";
  return "yes";
}

function rulesOf(egress: AgentEgress): EgressRule[] {
  if (egress.preset === "CUSTOM") return egress.rules;
  if (egress.preset === "MODEL_PROVIDER")
    return egress.grantHosts.map((host) => ({
      action: "allow",
      host,
      ports: [],
      methods: [],
      paths: [],
    }));
  return [];
}

const deny = (reason: string): EgressDecision => ({ allowed: false, reason, inspect: false });

/** Deny by default; quarantine and the ceiling first; then deny rules win over allow rules. */
export function decide(egress: AgentEgress, target: EgressTarget): EgressDecision {
  const where = `${target.host}:${target.port}`;
  if (egress.quarantined) return deny("the agent is quarantined");
  if (egress.ceiling && !egress.ceiling.some((pattern) => hostMatches(pattern, target.host)))
    return deny(`${target.host} is outside the organisation's egress ceiling`);
  if (egress.preset === "NONE") return deny("the agent's policy allows no network");
  const rules = rulesOf(egress);
  let inspect = false;
  let allowedBy: number | null = null;
  for (const [index, rule] of rules.entries()) {
    const match = ruleMatches(rule, target);
    if (match === "no") continue;
    if (match === "maybe") inspect = true;
    if (rule.action === "deny" && match === "yes")
      return deny(`${where} is denied by rule ${index + 1} (${rule.host})`);
    if (rule.action === "allow" && allowedBy === null) allowedBy = index;
  }
  if (allowedBy === null) {
    const what = target.method ? `${target.method} ${target.path} on ${where}` : where;
    return deny(
      egress.preset === "MODEL_PROVIDER"
        ? `${what}: the model-provider preset allows only the hosts of the agent's grants`
        : `no rule allows ${what}`,
    );
  }
  return { allowed: true, reason: `allowed by rule ${allowedBy + 1}`, inspect };
}

/** Headers a grant may not set: they steer the proxy or the connection, not the API. */
const reservedHeaders = new Set([
  "host",
  "connection",
  "content-length",
  "transfer-encoding",
  "upgrade",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "keep-alive",
]);

export const grantHeaderNameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, "Name the header")
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, "A header name such as x-api-key or authorization")
  .refine(
    (name) => !reservedHeaders.has(name),
    "That header steers the connection; choose another",
  );

export const grantTemplateSchema = z
  .string()
  .max(256)
  .regex(/^[^\r\n]*$/, "One line")
  .refine((t) => t.includes("{value}"), "Put {value} where the secret goes, e.g. Bearer {value}");

export function renderTemplate(template: string, value: string): string {
  return template.split("{value}").join(value);
}
