import type { NextRequest } from "next/server";
import { handlers } from "@/server/auth/auth.ts";

// Auth.js takes two mistakes of the caller's for its own: a callback URL that is not a web
// address (in the query, or in its cookie) answers 500 "problem with the server
// configuration", and a POST to /session without a valid CSRF token answers 400 with no
// words. Both are refused here, in words, as the caller's.
const callbackCookies = ["authjs.callback-url", "__Secure-authjs.callback-url"];

/** What Auth.js accepts as a callback URL: http(s), absolute or from the site's root. */
function isWebAddress(url: string, origin: string): boolean {
  try {
    return /^https?:$/.test(new URL(url, url.startsWith("/") ? origin : undefined).protocol);
  } catch {
    return false;
  }
}

function refused(error: string): Response {
  return Response.json({ error }, { status: 400 });
}

function guarded(handler: (req: NextRequest) => Promise<Response>) {
  return async (req: NextRequest): Promise<Response> => {
    const callbacks = [
      req.nextUrl.searchParams.get("callbackUrl"),
      ...callbackCookies.map((name) => req.cookies.get(name)?.value),
    ];
    if (callbacks.some((url) => url && !isWebAddress(url, req.nextUrl.origin))) {
      const response = refused("callbackUrl must be a web address (http or https).");
      for (const name of callbackCookies) {
        response.headers.append("set-cookie", `${name}=; Path=/; Max-Age=0`);
      }
      return response;
    }
    const response = await handler(req);
    if (
      response.status === 400 &&
      req.method === "POST" &&
      /\/session$/.test(req.nextUrl.pathname)
    ) {
      return refused("Updating the session needs a valid CSRF token (from /api/auth/csrf).");
    }
    return response;
  };
}

export const GET = guarded(handlers.GET);
export const POST = guarded(handlers.POST);
