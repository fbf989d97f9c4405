// Frozen: how a worker of protocol version 1 reads the control plane's answers (copied from
// common/worker-protocol.ts and common/egress-policy.ts as released with version 1, commit
// f2f35d1). Never edit to make a test pass: a change here means old workers break.
// Replaced by v2-responses.ts when version 3 comes, and so on.
import { z } from "zod";

const label = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const hostPattern = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(253)
  .regex(new RegExp(`^(?:\\*\\.)?${label}(?:\\.${label})*$`));
const httpMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
const egressRule = z.object({
  action: z.enum(["allow", "deny"]),
  host: hostPattern,
  ports: z.array(z.number().int().min(1).max(65535)).max(16).default([]),
  methods: z.array(z.enum(httpMethods)).max(httpMethods.length).default([]),
  paths: z.array(z.string().max(512).regex(/^\//)).max(16).default([]),
});

export const enrolResponse = z.object({ hostId: z.string(), credential: z.string() });

export const heartbeatResponse = z.object({
  hostId: z.string(),
  heartbeatSeconds: z.number().int().positive(),
});

const desiredGrant = z.object({
  grantId: z.string(),
  secretId: z.string(),
  secretName: z.string(),
  version: z.number().int(),
  value: z.string(),
  hosts: z.array(z.string()),
  pathPrefix: z.string().nullable(),
  headerName: z.string(),
  headerTemplate: z.string(),
  placeholderEnv: z.string().nullable(),
});
const desiredAgent = z.object({
  agentId: z.string(),
  name: z.string(),
  generation: z.number().int(),
  desiredState: z.enum(["RUNNING", "STOPPED"]),
  image: z.string(),
  command: z.array(z.string()),
  env: z.record(z.string(), z.string()),
  cpus: z.number(),
  memoryMb: z.number().int(),
  pids: z.number().int(),
  workspaceMb: z.number().int(),
  egress: z
    .object({
      preset: z.enum(["NONE", "MODEL_PROVIDER", "CUSTOM"]),
      rules: z.array(egressRule),
      quarantined: z.boolean(),
    })
    .default({ preset: "NONE", rules: [], quarantined: false }),
  grants: z.array(desiredGrant).default([]),
});
export const desiredState = z.object({
  version: z.number().int(),
  sandboxes: z.array(
    z.object({
      tenantId: z.string(),
      tenantSlug: z.string(),
      cpus: z.number(),
      memoryMb: z.number().int(),
      egressCeiling: z.array(z.string()).nullable().default(null),
      agents: z.array(desiredAgent),
    }),
  ),
});

export const taskNextResponse = z.object({
  task: z.object({
    id: z.string(),
    prompt: z.string(),
    instructions: z.string(),
    inputs: z.array(z.object({ name: z.string(), contentBase64: z.string() })),
    timeoutSeconds: z.number().int(),
    model: z.string().nullable(),
  }),
});

/** What the version-1 client parses, by request (null: it reads only the status). */
export const v1ResponseSchemas: Record<string, z.ZodType | null> = {
  "POST enrol": enrolResponse,
  "POST heartbeat": heartbeatResponse,
  "GET desired": desiredState,
  "POST report": null,
  "POST tasks/next": taskNextResponse,
};
