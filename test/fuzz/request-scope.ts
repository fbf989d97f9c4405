// Route handlers as Next runs them: inside its request scope, so `headers()` and `cookies()`
// (which Auth.js reads to find the session) see the request's own headers. Next keeps this
// scope in two async-local stores; a test enters them the way its router does, with the
// least each store needs for a dynamic request.
// Next sets up AsyncLocalStorage before anything of it loads; so must this module, imported first.
import "next/dist/server/node-environment-baseline.js";
import { workAsyncStorage } from "next/dist/server/app-render/work-async-storage.external.js";
import { workUnitAsyncStorage } from "next/dist/server/app-render/work-unit-async-storage.external.js";

type WorkStore = Parameters<typeof workAsyncStorage.run>[0];
type WorkUnitStore = Parameters<typeof workUnitAsyncStorage.run>[0];

/** Runs `handle` for `req` as Next's app router would around a route handler. */
export function inRequestScope<T>(req: Request, handle: () => Promise<T>): Promise<T> {
  const route = new URL(req.url).pathname;
  const work = {
    route,
    page: route,
    forceStatic: false,
    dynamicShouldError: false,
  } as unknown as WorkStore;
  const unit = {
    type: "request",
    phase: "action",
    url: { pathname: route, search: new URL(req.url).search },
    headers: req.headers,
  } as unknown as WorkUnitStore;
  return workAsyncStorage.run(work, () => workUnitAsyncStorage.run(unit, handle));
}
