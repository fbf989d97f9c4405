// Which OCI runtimes may hold a tenant's privileged sandbox container. The sandbox runs
// privileged so that it can host its own engine: under plain runc (or runc-privfix, its
// workaround for hosts without CAP_SYS_RESOURCE) one runtime or kernel escape is root on the
// host. sysbox-runc maps the container's root to an unprivileged user, and Kata puts it in a
// VM: both add the wall that plain runc lacks.

/** Runtimes that give the privileged sandbox a second wall. */
export function addsAWall(runtime: string): boolean {
  return /^sysbox-runc$|kata/.test(runtime);
}

export interface RuntimePolicy {
  runtime: string;
  /** NODE_ENV=production on the worker. */
  production: boolean;
  /** CORRAL_ALLOW_PRIVILEGED_RUNC: the operator accepts the single wall. */
  allowPrivilegedRunc: boolean;
}

/** Why this host must not make privileged-container sandboxes, or null when it may. */
export function privilegedRuntimeRefusal(policy: RuntimePolicy): string | null {
  if (addsAWall(policy.runtime) || !policy.production || policy.allowPrivilegedRunc) return null;
  return `sandboxes would be privileged containers on plain ${policy.runtime} (one escape is root on this host): use sysbox-runc (CORRAL_SANDBOX_RUNTIME=sysbox-runc) or microVMs (CORRAL_SANDBOX_DRIVER=microvm), or accept it with CORRAL_ALLOW_PRIVILEGED_RUNC=true`;
}
