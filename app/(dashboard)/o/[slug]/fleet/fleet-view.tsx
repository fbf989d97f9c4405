"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useState } from "react";
import { primaryButton, secondaryButton } from "@/app/_components/buttons.ts";
import { ConfirmButton } from "@/app/_components/confirm-button.tsx";
import { CopyButton } from "@/app/_components/copy-button.tsx";
import { LiveIndicator } from "@/app/_components/live-indicator.tsx";
import { Notice } from "@/app/_components/notice.tsx";
import { RelativeTime } from "@/app/_components/relative-time.tsx";
import { Skeleton } from "@/app/_components/skeleton.tsx";
import { StatusBadge } from "@/app/_components/status-badge.tsx";
import { UsageBar } from "@/app/_components/usage-bar.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";

const cell = "px-3 py-2 text-left align-top";

type HostState = "LIVE" | "LOST" | "REVOKED" | "DRAINING" | "CORDONED";

/** The deployment's worker hosts, for operators. */
export function FleetView({ orgSlug: _orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // Heartbeats and placements are pushed as they happen.
  const live = useSubscription(
    trpc.fleet.watchHosts.subscriptionOptions(undefined, {
      onData: (data) => queryClient.setQueryData(trpc.fleet.hosts.queryKey(), data),
    }),
  );
  const hosts = useQuery(
    trpc.fleet.hosts.queryOptions(undefined, {
      refetchInterval: live.status === "pending" ? false : 3000,
    }),
  );
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.fleet.hosts.queryKey() });
  const setState = useMutation(trpc.fleet.setHostState.mutationOptions({ onSettled: refresh }));
  const [description, setDescription] = useState("");
  const [hostName, setHostName] = useState("");
  const [replaceHost, setReplaceHost] = useState(false);
  const enrol = useMutation(trpc.fleet.createEnrolmentToken.mutationOptions());

  return (
    <div className="space-y-8">
      <header className="space-y-1">
        <nav aria-label="Breadcrumb" className="text-sm text-zinc-600 dark:text-zinc-400">
          Deployment / Fleet
        </nav>
        <h1 className="text-2xl font-bold tracking-tight" data-testid="page-title">
          Fleet
        </h1>
      </header>

      <section aria-labelledby="enrol-heading" className="max-w-3xl space-y-3">
        <h2 id="enrol-heading" className="text-lg font-semibold">
          Add a host
        </h2>
        <form
          aria-label="Create an enrolment token"
          className="flex flex-wrap items-end gap-3"
          onSubmit={(e) => {
            e.preventDefault();
            enrol.mutate({
              description,
              ttlHours: 24,
              hostName: hostName.trim() || undefined,
              replaceHost: Boolean(hostName.trim()) && replaceHost,
            });
          }}
        >
          <div className="space-y-1">
            <label htmlFor="enrol-description" className="block text-sm font-medium">
              Host description (optional)
            </label>
            <input
              id="enrol-description"
              value={description}
              onChange={(e) => setDescription(e.target.value)}
              className="rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm dark:border-zinc-700 dark:bg-zinc-900"
            />
          </div>
          <div className="space-y-1">
            <label htmlFor="enrol-host" className="block text-sm font-medium">
              For the host named (recommended)
            </label>
            <input
              id="enrol-host"
              value={hostName}
              onChange={(e) => setHostName(e.target.value)}
              placeholder="any name, bound at first use"
              aria-describedby="enrol-host-help"
              className="rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm dark:border-zinc-700 dark:bg-zinc-900"
            />
          </div>
          <label className="flex items-center gap-2 pb-2 text-sm">
            <input
              type="checkbox"
              checked={replaceHost}
              disabled={!hostName.trim()}
              onChange={(e) => setReplaceHost(e.target.checked)}
            />
            It replaces a live host of that name (a reinstall)
          </label>
          <button type="submit" className={primaryButton} disabled={enrol.isPending}>
            Create enrolment token
          </button>
          <p id="enrol-host-help" className="w-full text-xs text-zinc-600 dark:text-zinc-400">
            A token enrols one host, once. A live host keeps its name unless you make a token to
            replace it, so a leaked token cannot take a running host over.
          </p>
        </form>
        {enrol.error && <Notice tone="error">{enrol.error.message}</Notice>}
        {enrol.data && (
          <div
            role="status"
            className="space-y-2 rounded-xl border border-emerald-300 bg-emerald-50 p-4 text-sm dark:border-emerald-800 dark:bg-emerald-950"
          >
            <p className="font-semibold">
              One-time token, valid 24 hours. Start the worker on the new host with:
            </p>
            <code className="block break-all rounded bg-white p-2 font-mono text-xs dark:bg-zinc-900">
              CORRAL_ENROLMENT_TOKEN={enrol.data.token} CORRAL_CONTROL_PLANE_URL=
              {window.location.origin} npm run worker
            </code>
            <CopyButton value={enrol.data.token} label="Copy token" />
          </div>
        )}
      </section>

      <OrgIsolation />

      <section aria-labelledby="hosts-heading" className="space-y-3">
        <h2 id="hosts-heading" className="flex items-center gap-3 text-lg font-semibold">
          Hosts <LiveIndicator status={live.status} />
        </h2>
        {setState.error && <Notice tone="error">{setState.error.message}</Notice>}
        {hosts.isPending ? (
          <Skeleton label="Loading hosts" height="h-40" />
        ) : hosts.isError ? (
          <Notice tone="error">{hosts.error.message}</Notice>
        ) : hosts.data.length === 0 ? (
          <p className="rounded-xl border border-dashed border-zinc-300 p-6 text-center text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
            No hosts yet. Create an enrolment token above and start a worker with it.
          </p>
        ) : (
          <div className="overflow-x-auto rounded-xl border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
            <table className="w-full text-sm">
              <thead className="border-b border-zinc-200 text-xs uppercase text-zinc-600 dark:text-zinc-400 dark:border-zinc-800">
                <tr>
                  <th className={cell}>Host</th>
                  <th className={cell}>State</th>
                  <th className={cell}>Capacity used</th>
                  <th className={cell}>Sandboxes</th>
                  <th className={cell}>Heartbeat</th>
                  <th className={cell}>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {hosts.data.map((h) => {
                  const state: HostState = h.revokedAt
                    ? "REVOKED"
                    : !h.live
                      ? "LOST"
                      : h.draining
                        ? "DRAINING"
                        : h.cordoned
                          ? "CORDONED"
                          : "LIVE";
                  return (
                    <tr
                      key={h.id}
                      data-testid="host-row"
                      className="border-b border-zinc-100 last:border-0 dark:border-zinc-800"
                    >
                      <td className={cell}>
                        <p className="font-medium">{h.name}</p>
                        <p className="text-xs text-zinc-600 dark:text-zinc-400">
                          {h.driver} · v{h.version} ·{" "}
                          {Object.entries(h.labels as Record<string, string>)
                            .map(([k, v]) => `${k}=${v}`)
                            .join(", ")}
                        </p>
                        <HostWalls labels={h.labels as Record<string, string>} />
                        {h.driverReason && (
                          <p className="text-xs text-red-700 dark:text-red-400">{h.driverReason}</p>
                        )}
                      </td>
                      <td className={cell}>
                        <StatusBadge state={state} testId="host-state" />
                      </td>
                      <td className={cell}>
                        {h.usedMillis / 1000} of {h.capacityMillis / 1000} CPU
                        <br />
                        {h.usedMemoryMb} of {h.capacityMemoryMb} MiB
                      </td>
                      <td className={cell}>
                        {h.sandboxes.length === 0
                          ? "none"
                          : h.sandboxes.map((s) => (
                              <div key={s.slug} className="space-y-1 py-1" data-testid="sandbox">
                                <div className="flex items-center gap-1">
                                  {s.org} <StatusBadge state={s.state} />
                                  <span
                                    className="rounded bg-zinc-100 px-1.5 text-xs dark:bg-zinc-800"
                                    data-testid="sandbox-isolation"
                                    title={wantedTitle(s.wanted, s.locked)}
                                  >
                                    {s.isolation === "MICROVM"
                                      ? "microVM"
                                      : s.isolation === "CONTAINER"
                                        ? "container"
                                        : "isolation not recorded"}
                                  </span>
                                </div>
                                {s.storage ? (
                                  <UsageBar
                                    label={`Storage of ${s.org}'s sandbox`}
                                    usedBytes={s.storage.usedBytes}
                                    sizeBytes={s.storage.sizeBytes}
                                    testId="sandbox-storage"
                                  />
                                ) : (
                                  <p className="text-xs text-zinc-600 dark:text-zinc-400">
                                    Storage not measured yet
                                  </p>
                                )}
                              </div>
                            ))}
                      </td>
                      <td className={cell}>
                        <RelativeTime date={h.lastHeartbeatAt} />
                      </td>
                      <td className={`${cell} space-x-2 whitespace-nowrap`}>
                        {!h.revokedAt && (
                          <>
                            <button
                              type="button"
                              className={secondaryButton}
                              onClick={() =>
                                setState.mutate({
                                  hostId: h.id,
                                  state: h.cordoned ? "uncordon" : "cordon",
                                })
                              }
                            >
                              {h.cordoned ? "Uncordon" : "Cordon"}
                            </button>
                            {!h.draining && (
                              <button
                                type="button"
                                className={secondaryButton}
                                onClick={() => setState.mutate({ hostId: h.id, state: "drain" })}
                              >
                                Drain
                              </button>
                            )}
                            <ConfirmButton
                              title={`Revoke ${h.name}?`}
                              description="Its credential stops working at once and its sandboxes are placed on other hosts."
                              confirmLabel="Revoke host"
                              typeToConfirm={h.name}
                              onConfirm={() => setState.mutate({ hostId: h.id, state: "revoke" })}
                            >
                              Revoke
                            </ConfirmButton>
                          </>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

/** Plain runc (or runc-privfix): the privileged sandbox is one escape away from the host. */
const addsAWall = (runtime: string | undefined) =>
  runtime !== undefined && /^sysbox-runc$|kata/.test(runtime);

/** What walls a host gives, and a warning when its containers rest on plain runc. */
function HostWalls({ labels }: { labels: Record<string, string> }) {
  const microvm = labels.microvm === "true";
  const container = labels.container !== "false";
  const walls = [
    microvm && `microVM${labels.accel ? ` (${labels.accel})` : ""}`,
    container && `container${labels.runtime ? ` (${labels.runtime})` : ""}`,
  ].filter(Boolean);
  return (
    <>
      <p className="text-xs" data-testid="host-walls">
        Isolation: {walls.length ? walls.join(", ") : "none"}
      </p>
      {container && labels.runtime && !addsAWall(labels.runtime) && (
        <p
          className="mt-1 rounded bg-amber-50 px-2 py-1 text-xs text-amber-900 dark:bg-amber-950 dark:text-amber-200"
          data-testid="privileged-runc-warning"
        >
          Sandboxes here are privileged containers on plain {labels.runtime}: one escape is root on
          this host. Production workers allow this only with CORRAL_ALLOW_PRIVILEGED_RUNC=true; use
          sysbox-runc or microVMs instead.
        </p>
      )}
    </>
  );
}

function wantedTitle(wanted: "MICROVM" | "CONTAINER" | null, locked: boolean) {
  const choice = wanted === null ? "automatic" : wanted === "MICROVM" ? "microVM" : "container";
  return `Organisation's choice: ${choice}${locked ? " (locked by an operator)" : ""}`;
}

/** Operators set an organisation's isolation and may lock it against its owners. */
function OrgIsolation() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const waiting = useQuery(trpc.fleet.waiting.queryOptions(undefined, { refetchInterval: 5000 }));
  const [orgSlug, setOrgSlug] = useState("");
  const [isolation, setIsolation] = useState<"AUTO" | "MICROVM" | "CONTAINER">("AUTO");
  const [locked, setLocked] = useState(false);
  const change = useMutation(
    trpc.fleet.setOrgIsolation.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.fleet.pathKey() }),
    }),
  );
  return (
    <section aria-labelledby="isolation-heading" className="max-w-3xl space-y-3">
      <h2 id="isolation-heading" className="text-lg font-semibold">
        Organisations&apos; isolation
      </h2>
      <form
        aria-label="Set an organisation's isolation"
        className="flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          change.mutate({
            organization: orgSlug.trim(),
            isolation: isolation === "AUTO" ? null : isolation,
            locked,
          });
        }}
      >
        <div className="space-y-1">
          <label htmlFor="isolation-org" className="block text-sm font-medium">
            Organisation address
          </label>
          <input
            id="isolation-org"
            value={orgSlug}
            onChange={(e) => setOrgSlug(e.target.value)}
            placeholder="acme"
            className="rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm dark:border-zinc-700 dark:bg-zinc-900"
          />
        </div>
        <div className="space-y-1">
          <label htmlFor="isolation-level" className="block text-sm font-medium">
            Isolation
          </label>
          <select
            id="isolation-level"
            value={isolation}
            onChange={(e) => setIsolation(e.target.value as typeof isolation)}
            className="rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm dark:border-zinc-700 dark:bg-zinc-900"
          >
            <option value="AUTO">Automatic (microVM where offered)</option>
            <option value="MICROVM">MicroVM</option>
            <option value="CONTAINER">Container</option>
          </select>
        </div>
        <label className="flex items-center gap-2 pb-2 text-sm">
          <input type="checkbox" checked={locked} onChange={(e) => setLocked(e.target.checked)} />
          Lock it (owners cannot change it)
        </label>
        <button type="submit" className={primaryButton} disabled={change.isPending || !orgSlug}>
          Set isolation
        </button>
      </form>
      {change.error && <Notice tone="error">{change.error.message}</Notice>}
      {change.isSuccess && (
        <Notice tone="success">Saved; its sandbox is re-placed if needed.</Notice>
      )}
      {waiting.data && waiting.data.length > 0 && (
        <div className="space-y-1" data-testid="waiting-sandboxes">
          <h3 className="text-sm font-semibold">Sandboxes waiting for a host</h3>
          <ul className="text-sm">
            {waiting.data.map((w) => (
              <li key={w.slug}>
                {w.org} ({w.slug}): {w.reason ?? "not placed yet"}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
