// Next's request scope must exist before any of Next loads: this import stays first.
import "../../test/fuzz/request-scope.ts";
import { describe, expect, it } from "vitest";
import { ask, type RouteHandler, trpcCall } from "../../test/fuzz/http.ts";

describe("refusals over HTTP", () => {
  it("say in words which field was wrong, not a dump of the validator's issues", async () => {
    const { GET } = await import("../../app/api/trpc/[trpc]/route.ts");
    // The organisation is read before anything else, signed in or not.
    const call = trpcCall("organizations.overview", "query", { orgSlug: "" });
    const answer = await ask(GET as RouteHandler, call.url, call.init);
    expect(answer.thrown ?? answer.status).toBe(400);
    const message = JSON.parse(answer.body).error.json.message as string;
    expect(message).toMatch(/^orgSlug: \S.*[^\]}]$/);
    expect(message).not.toContain('"code"');
  });
});
