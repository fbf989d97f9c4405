// A recorded worker conversation: what the worker sent and what it got back, with the
// values of the recording run replaced by $placeholders ($token, $credential, $agentId…).
export type Exchange =
  | {
      request: {
        method: string;
        /** Below /api/worker/v1/, with the query. */
        path: string;
        headers: Record<string, string>;
        body?: unknown;
      };
      response: { status: number; body?: unknown };
    }
  /** The operator acts between two requests (scenario.ts names the step). */
  | { operator: "placeAgent" };

export interface Conversation {
  protocolVersion: number;
  exchanges: Exchange[];
}
