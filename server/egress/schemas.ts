// Inputs of the egress API; the policy shapes themselves live in policy.ts (shared with the
// worker's gateway).
import { z } from "zod";
import { egressPolicySchema } from "../../common/egress-policy.ts";

export const agentRef = z.object({ agentId: z.string().min(1).max(64) });

export const setPolicySchema = agentRef.extend(egressPolicySchema.shape);

export const quarantineSchema = agentRef.extend({
  reason: z.string().trim().max(500).default(""),
});

export type SetPolicyInput = z.infer<typeof setPolicySchema>;
