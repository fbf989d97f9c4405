// The first-run checklist: each step reads real state, so it ticks itself whichever way the
// thing got done (UI, API, another member). Capabilities still to come (secrets, tasks) add
// a step here with their own check.
import type { Db } from "../db/client.ts";

export interface OnboardingStep {
  id: string;
  title: string;
  hint: string;
  /** Where to go to do it, relative to the organisation (`/o/<slug>`). */
  path: string;
  done: boolean;
}

export async function onboardingSteps(db: Db, orgId: string): Promise<OnboardingStep[]> {
  const [members, invitations, agents, everRan] = await Promise.all([
    db.membership.count({ where: { orgId } }),
    db.invitation.count({ where: { orgId } }),
    db.agent.count({ where: { orgId } }),
    db.agent.count({ where: { orgId, startedAt: { not: null } } }),
  ]);
  return [
    {
      id: "organisation",
      title: "Create your organisation",
      hint: "Done: it is where your agents, members and audit log live.",
      path: "",
      done: true,
    },
    {
      id: "invite",
      title: "Invite a teammate",
      hint: "Agents are a team sport: bring in someone to review what they do.",
      path: "/members",
      done: members > 1 || invitations > 0,
    },
    {
      id: "agent",
      title: "Create your first agent",
      hint: "It runs in your organisation's own sandbox, in a hardened container.",
      path: "/agents",
      done: agents > 0,
    },
    {
      id: "running",
      title: "See it running",
      hint: "Start it and watch its state, logs and usage arrive live.",
      path: "/agents",
      done: everRan > 0,
    },
  ];
}
