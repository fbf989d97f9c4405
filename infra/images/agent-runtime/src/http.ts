// Every HTTP request the runtime makes goes through undici's EnvHttpProxyAgent, which honours
// HTTP_PROXY / HTTPS_PROXY / NO_PROXY (Node's own fetch ignores them) and sends the proxy's
// credentials from the URL. Plain-HTTP targets (the task service at corral.internal) go to the
// proxy as absolute-form requests, HTTPS ones through CONNECT. TLS trusts Node's roots plus
// NODE_EXTRA_CA_CERTS (the tenant CA), which Node reads itself at start.
import { EnvHttpProxyAgent, type RequestInit, fetch as undiciFetch } from "undici";

export const dispatcher = quietly(
  () =>
    // proxyTunnel is accepted at runtime and passed on to ProxyAgent (undici ≥ 6.22), though
    // EnvHttpProxyAgent's types do not list it.
    new EnvHttpProxyAgent({ proxyTunnel: false } as EnvHttpProxyAgent.Options),
);

/** fetch through the proxy; the same signature as the global one, for the Anthropic SDK. */
export const proxiedFetch = ((input: string | URL, init?: RequestInit) =>
  undiciFetch(input, { ...init, dispatcher })) as unknown as typeof globalThis.fetch;

/** JSON over the proxy: `{status, body}`; throws on network failure or timeout. */
export async function requestJson(
  method: "GET" | "POST",
  url: string,
  body: unknown,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<{ status: number; body: unknown }> {
  const signals = [AbortSignal.timeout(options.timeoutMs)];
  if (options.signal) signals.push(options.signal);
  const linked = linkSignals(signals);
  let text: string;
  let status: number;
  try {
    const response = await undiciFetch(url, {
      method,
      dispatcher,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: linked.signal,
    });
    status = response.status;
    text = await response.text();
  } finally {
    linked.dispose();
  }
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: the caller sees the text.
  }
  return { status, body: parsed };
}

/**
 * A signal that aborts when any of `signals` does (AbortSignal.any is Node ≥ 20.3; the image
 * runs Debian's Node 18). `dispose` removes its listeners from long-lived signals.
 */
export function linkSignals(signals: AbortSignal[]): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const undo: Array<() => void> = [];
  for (const signal of signals) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    const onAbort = () => controller.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    undo.push(() => signal.removeEventListener("abort", onAbort));
  }
  const dispose = () => {
    for (const remove of undo) remove();
  };
  return { signal: controller.signal, dispose };
}

/** Runs `make` without the one-off "EnvHttpProxyAgent is experimental" warning on stderr. */
function quietly<T>(make: () => T): T {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const code = (rest[0] as { code?: string } | undefined)?.code;
    if (code === "UNDICI-EHPA") return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return make();
  } finally {
    process.emitWarning = emitWarning;
  }
}
