"use client";
// The agent's "Tasks" tab: give it a task and follow the transcript live, its task history
// (a row opens its transcript: ?task=<id>), how it takes tasks and its standing
// instructions, and its schedules.
import { Skeleton } from "@/app/_components/skeleton.tsx";
import { can } from "@/server/auth/permissions.ts";
import type { Role } from "@/server/db/generated/enums.ts";
import { useUrlState } from "../../tasks/hooks.ts";
import { TaskHistory } from "../../tasks/task-history.tsx";
import { TaskTranscript } from "../../tasks/task-transcript.tsx";
import { SchedulesSection } from "./schedules-section.tsx";
import { TaskComposer } from "./task-composer.tsx";
import { TaskSettingsCard } from "./task-settings-card.tsx";

const muted = "text-zinc-600 dark:text-zinc-400";

interface AgentForTasks {
  id: string;
  name: string;
  desiredState: string;
  observedState: string;
  quarantinedAt: Date | null;
  taskConcurrency: number;
  taskTimeoutSeconds: number;
  whenStopped: "WAIT" | "FAIL";
  instructions: string;
}

/** Why a task given now would wait or fail, in words; null when the agent takes it. */
function warningFor(a: AgentForTasks): string | null {
  const fails = a.whenStopped === "FAIL";
  if (a.quarantinedAt)
    return fails
      ? `${a.name} is quarantined: tasks given now fail at once.`
      : `${a.name} is quarantined: tasks given now wait until an admin releases it.`;
  if (a.desiredState === "STOPPED")
    return fails
      ? `${a.name} is stopped, and its settings fail tasks given while it is stopped.`
      : `${a.name} is stopped: tasks given now wait until it is started.`;
  if (a.observedState !== "RUNNING")
    return `${a.name} is ${a.observedState.toLowerCase().replaceAll("_", " ")}: tasks wait until it runs.`;
  return null;
}

export function TasksTab(props: {
  orgSlug: string;
  agent: AgentForTasks;
  /** Unknown while the organisation loads. */
  role: Role | undefined;
}) {
  const { orgSlug, agent, role } = props;
  const url = useUrlState();
  const openTask = url.get("task");
  if (!role) return <Skeleton label="Loading tasks" height="h-64" />;
  const manage = can(role, "task.manage");
  const open = (taskId: string) => url.set({ task: taskId });

  return (
    <>
      {manage ? (
        <TaskComposer
          orgSlug={orgSlug}
          agentId={agent.id}
          agentName={agent.name}
          warning={warningFor(agent)}
          defaultTimeoutSeconds={agent.taskTimeoutSeconds}
          onStarted={open}
        />
      ) : (
        <p className={`text-sm ${muted}`}>
          Viewers can read tasks and transcripts; members, admins and owners give tasks.
        </p>
      )}

      {openTask && (
        <TaskTranscript
          key={openTask}
          orgSlug={orgSlug}
          taskId={openTask.slice(0, 64)}
          closeHref={url.href({ task: null })}
          canManage={manage}
        />
      )}

      <TaskHistory
        orgSlug={orgSlug}
        agentId={agent.id}
        heading="History"
        empty={
          manage
            ? `No tasks yet. Give ${agent.name} one above; it appears here with its status, usage and transcript.`
            : `${agent.name} has had no tasks yet.`
        }
      />

      <TaskSettingsCard
        // Settings saved elsewhere start the form afresh.
        key={JSON.stringify([
          agent.taskConcurrency,
          agent.taskTimeoutSeconds,
          agent.whenStopped,
          agent.instructions,
        ])}
        orgSlug={orgSlug}
        agentId={agent.id}
        agentName={agent.name}
        taskConcurrency={agent.taskConcurrency}
        taskTimeoutSeconds={agent.taskTimeoutSeconds}
        whenStopped={agent.whenStopped}
        instructions={agent.instructions}
        editable={can(role, "agent.manage")}
      />

      <SchedulesSection
        orgSlug={orgSlug}
        agentId={agent.id}
        agentName={agent.name}
        canManage={manage}
        onTask={open}
      />
    </>
  );
}
