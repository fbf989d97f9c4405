// Generated from the REST API's OpenAPI document by `npm run api:client`
// (server/openapi/client-source.ts). Do not edit: change the REST procedures and regenerate.

export interface paths {
    "/orgs/{orgSlug}/agents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the organisation's agents */
        get: operations["listAgents"];
        put?: never;
        /** Create an agent (and start it with `start: true`) */
        post: operations["createAgent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/orgs/{orgSlug}/agents/{agentId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One agent */
        get: operations["getAgent"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/orgs/{orgSlug}/agents/{agentId}/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Ask for the agent to run */
        post: operations["startAgent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/orgs/{orgSlug}/agents/{agentId}/stop": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Ask for the agent to stop */
        post: operations["stopAgent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/orgs/{orgSlug}/tasks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Task history, newest first */
        get: operations["listTasks"];
        put?: never;
        /** Give an agent a task */
        post: operations["createTask"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/orgs/{orgSlug}/tasks/{taskId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One task with its result */
        get: operations["getTask"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/orgs/{orgSlug}/audit/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The audit log, newest first, filtered
         * @description Pages by `cursor` (the `nextCursor` of the previous page). For a whole export as CSV or NDJSON, stream GET /api/orgs/{orgSlug}/audit/export.
         */
        get: operations["listAuditEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/orgs/{orgSlug}/members": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The organisation's members and their roles */
        get: operations["listMembers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/orgs/{orgSlug}/audit/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The filtered audit log as one CSV or NDJSON download, streamed
         * @description Oldest first, exactly the events the filters select. Needs `audit.export`; the export itself is recorded in the audit log (audit.exported) before the first row.
         */
        get: operations["exportAuditEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Agent: {
            id: string;
            name: string;
            image: string;
            command: string[];
            env: {
                [key: string]: string;
            };
            cpuMillis: number;
            memoryMb: number;
            workspaceMb: number;
            generation: number;
            /** @enum {string} */
            desiredState: "RUNNING" | "STOPPED";
            /** @enum {string} */
            observedState: "PENDING" | "PROVISIONING" | "RUNNING" | "STOPPING" | "STOPPED" | "FAILED" | "CRASH_LOOPING";
            observedReason: string | null;
            restartCount: number;
            /** @enum {string} */
            egressPreset: "NONE" | "MODEL_PROVIDER" | "CUSTOM";
            quarantinedAt: string | null;
            startedAt: string | null;
            /** @description ISO 8601 date and time */
            createdAt: string;
            /** @description ISO 8601 date and time */
            updatedAt: string;
        };
        /**
         * The input was refused; `message` says which field and why error (400)
         * @description The error information
         * @example {
         *       "code": "BAD_REQUEST",
         *       "message": "The input was refused; `message` says which field and why",
         *       "issues": []
         *     }
         */
        "error.BAD_REQUEST": {
            /**
             * @description The error message
             * @example The input was refused; `message` says which field and why
             */
            message: string;
            /**
             * @description The error code
             * @example BAD_REQUEST
             */
            code: string;
            /**
             * @description An array of issues that were responsible for the error
             * @example []
             */
            issues?: {
                /** @description Where in the input: field names and list positions */
                path: (string | number)[];
                message: string;
            }[];
        };
        /**
         * No API key, or one that is revoked or expired error (401)
         * @description The error information
         * @example {
         *       "code": "UNAUTHORIZED",
         *       "message": "No API key, or one that is revoked or expired",
         *       "issues": []
         *     }
         */
        "error.UNAUTHORIZED": {
            /**
             * @description The error message
             * @example No API key, or one that is revoked or expired
             */
            message: string;
            /**
             * @description The error code
             * @example UNAUTHORIZED
             */
            code: string;
            /**
             * @description An array of issues that were responsible for the error
             * @example []
             */
            issues?: {
                /** @description Where in the input: field names and list positions */
                path: (string | number)[];
                message: string;
            }[];
        };
        /**
         * The key's scopes or its maker's role do not allow this error (403)
         * @description The error information
         * @example {
         *       "code": "FORBIDDEN",
         *       "message": "The key's scopes or its maker's role do not allow this",
         *       "issues": []
         *     }
         */
        "error.FORBIDDEN": {
            /**
             * @description The error message
             * @example The key's scopes or its maker's role do not allow this
             */
            message: string;
            /**
             * @description The error code
             * @example FORBIDDEN
             */
            code: string;
            /**
             * @description An array of issues that were responsible for the error
             * @example []
             */
            issues?: {
                /** @description Where in the input: field names and list positions */
                path: (string | number)[];
                message: string;
            }[];
        };
        /**
         * No such organisation (or not the key's), or no such record in it error (404)
         * @description The error information
         * @example {
         *       "code": "NOT_FOUND",
         *       "message": "No such organisation (or not the key's), or no such record in it",
         *       "issues": []
         *     }
         */
        "error.NOT_FOUND": {
            /**
             * @description The error message
             * @example No such organisation (or not the key's), or no such record in it
             */
            message: string;
            /**
             * @description The error code
             * @example NOT_FOUND
             */
            code: string;
            /**
             * @description An array of issues that were responsible for the error
             * @example []
             */
            issues?: {
                /** @description Where in the input: field names and list positions */
                path: (string | number)[];
                message: string;
            }[];
        };
        /**
         * An agent of that name exists, or a quota is full error (409)
         * @description The error information
         * @example {
         *       "code": "CONFLICT",
         *       "message": "An agent of that name exists, or a quota is full",
         *       "issues": []
         *     }
         */
        "error.CONFLICT": {
            /**
             * @description The error message
             * @example An agent of that name exists, or a quota is full
             */
            message: string;
            /**
             * @description The error code
             * @example CONFLICT
             */
            code: string;
            /**
             * @description An array of issues that were responsible for the error
             * @example []
             */
            issues?: {
                /** @description Where in the input: field names and list positions */
                path: (string | number)[];
                message: string;
            }[];
        };
        Task: {
            id: string;
            agentId: string;
            agentName: string;
            prompt: string;
            /** @enum {string} */
            status: "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED" | "TIMED_OUT";
            reason: string | null;
            /** @enum {string} */
            startedByType: "USER" | "API_KEY" | "WORKER" | "AGENT" | "SYSTEM";
            startedByName: string;
            scheduleId: string | null;
            /** @description ISO 8601 date and time */
            createdAt: string;
            startedAt: string | null;
            finishedAt: string | null;
            model: string | null;
            inputTokens: number;
            outputTokens: number;
            costUsd: number;
        };
        TaskDetail: {
            id: string;
            agentId: string;
            agentName: string;
            prompt: string;
            /** @enum {string} */
            status: "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED" | "TIMED_OUT";
            reason: string | null;
            /** @enum {string} */
            startedByType: "USER" | "API_KEY" | "WORKER" | "AGENT" | "SYSTEM";
            startedByName: string;
            scheduleId: string | null;
            /** @description ISO 8601 date and time */
            createdAt: string;
            startedAt: string | null;
            finishedAt: string | null;
            model: string | null;
            inputTokens: number;
            outputTokens: number;
            costUsd: number;
            result: string | null;
            timeoutSeconds: number;
            cancelRequestedAt: string | null;
            inputs: {
                name: string;
                size: number;
            }[];
        };
        AuditEvent: {
            id: string;
            seq: number | null;
            /** @description ISO 8601 date and time */
            occurredAt: string;
            /** @enum {string} */
            actorType: "USER" | "API_KEY" | "WORKER" | "AGENT" | "SYSTEM";
            actorId: string | null;
            actorName: string;
            action: string;
            targetType: string | null;
            targetId: string | null;
            targetName: string | null;
            /** @enum {string} */
            outcome: "SUCCESS" | "FAILURE" | "DENIED";
            ipAddress: string | null;
            userAgent: string | null;
            requestId: string | null;
            metadata: {
                [key: string]: unknown;
            };
            prevHash: string | null;
            hash: string | null;
        };
        Member: {
            userId: string;
            name: string;
            email: string;
            /** @enum {string} */
            role: "OWNER" | "ADMIN" | "MEMBER" | "VIEWER";
            /** @description ISO 8601 date and time */
            joinedAt: string;
            lastActiveAt: string | null;
        };
        ExportRefusal: {
            error: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listAgents: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The organisation's slug */
                orgSlug: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        agents: components["schemas"]["Agent"][];
                        /** @description The organisation's sandbox, once it has one */
                        sandbox: {
                            /** @enum {string} */
                            state: "PENDING" | "PROVISIONING" | "READY" | "FAILED";
                            reason: string | null;
                            host: string | null;
                        } | null;
                    };
                };
            };
            /** @description The input was refused; `message` says which field and why */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.BAD_REQUEST"];
                };
            };
            /** @description No API key, or one that is revoked or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.UNAUTHORIZED"];
                };
            };
            /** @description The key's scopes or its maker's role do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.FORBIDDEN"];
                };
            };
            /** @description No such organisation (or not the key's), or no such record in it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.NOT_FOUND"];
                };
            };
        };
    };
    createAgent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The organisation's slug */
                orgSlug: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    image: string;
                    /** @default [] */
                    command?: string[];
                    /** @default {} */
                    env?: {
                        [key: string]: string;
                    };
                    cpuMillis: number;
                    memoryMb: number;
                    workspaceMb: number;
                    name: string;
                    /** @default false */
                    start?: boolean;
                };
            };
        };
        responses: {
            /** @description Successful response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Agent"];
                };
            };
            /** @description The input was refused; `message` says which field and why */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.BAD_REQUEST"];
                };
            };
            /** @description No API key, or one that is revoked or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.UNAUTHORIZED"];
                };
            };
            /** @description The key's scopes or its maker's role do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.FORBIDDEN"];
                };
            };
            /** @description No such organisation (or not the key's), or no such record in it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.NOT_FOUND"];
                };
            };
            /** @description An agent of that name exists, or a quota is full */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.CONFLICT"];
                };
            };
        };
    };
    getAgent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The organisation's slug */
                orgSlug: string;
                agentId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Agent"];
                };
            };
            /** @description The input was refused; `message` says which field and why */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.BAD_REQUEST"];
                };
            };
            /** @description No API key, or one that is revoked or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.UNAUTHORIZED"];
                };
            };
            /** @description The key's scopes or its maker's role do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.FORBIDDEN"];
                };
            };
            /** @description No such organisation (or not the key's), or no such record in it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.NOT_FOUND"];
                };
            };
        };
    };
    startAgent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The organisation's slug */
                orgSlug: string;
                agentId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Agent"];
                };
            };
            /** @description The input was refused; `message` says which field and why */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.BAD_REQUEST"];
                };
            };
            /** @description No API key, or one that is revoked or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.UNAUTHORIZED"];
                };
            };
            /** @description The key's scopes or its maker's role do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.FORBIDDEN"];
                };
            };
            /** @description No such organisation (or not the key's), or no such record in it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.NOT_FOUND"];
                };
            };
        };
    };
    stopAgent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The organisation's slug */
                orgSlug: string;
                agentId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Agent"];
                };
            };
            /** @description The input was refused; `message` says which field and why */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.BAD_REQUEST"];
                };
            };
            /** @description No API key, or one that is revoked or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.UNAUTHORIZED"];
                };
            };
            /** @description The key's scopes or its maker's role do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.FORBIDDEN"];
                };
            };
            /** @description No such organisation (or not the key's), or no such record in it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.NOT_FOUND"];
                };
            };
        };
    };
    listTasks: {
        parameters: {
            query?: {
                agentId?: string;
                status?: "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED" | "TIMED_OUT";
                before?: string;
                limit?: number;
            };
            header?: never;
            path: {
                /** @description The organisation's slug */
                orgSlug: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        tasks: components["schemas"]["Task"][];
                    };
                };
            };
            /** @description The input was refused; `message` says which field and why */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.BAD_REQUEST"];
                };
            };
            /** @description No API key, or one that is revoked or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.UNAUTHORIZED"];
                };
            };
            /** @description The key's scopes or its maker's role do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.FORBIDDEN"];
                };
            };
            /** @description No such organisation (or not the key's), or no such record in it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.NOT_FOUND"];
                };
            };
        };
    };
    createTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The organisation's slug */
                orgSlug: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    agentId: string;
                    prompt: string;
                    /** @default [] */
                    inputs?: {
                        name: string;
                        contentBase64: string;
                    }[];
                    timeoutSeconds?: number;
                };
            };
        };
        responses: {
            /** @description Successful response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TaskDetail"];
                };
            };
            /** @description The input was refused; `message` says which field and why */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.BAD_REQUEST"];
                };
            };
            /** @description No API key, or one that is revoked or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.UNAUTHORIZED"];
                };
            };
            /** @description The key's scopes or its maker's role do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.FORBIDDEN"];
                };
            };
            /** @description No such organisation (or not the key's), or no such record in it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.NOT_FOUND"];
                };
            };
        };
    };
    getTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The organisation's slug */
                orgSlug: string;
                taskId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TaskDetail"];
                };
            };
            /** @description The input was refused; `message` says which field and why */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.BAD_REQUEST"];
                };
            };
            /** @description No API key, or one that is revoked or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.UNAUTHORIZED"];
                };
            };
            /** @description The key's scopes or its maker's role do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.FORBIDDEN"];
                };
            };
            /** @description No such organisation (or not the key's), or no such record in it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.NOT_FOUND"];
                };
            };
        };
    };
    listAuditEvents: {
        parameters: {
            query?: {
                actor?: string;
                action?: string;
                target?: string;
                outcome?: "SUCCESS" | "FAILURE" | "DENIED";
                from?: string;
                to?: string;
                q?: string;
                cursor?: number;
                limit?: number;
            };
            header?: never;
            path: {
                /** @description The organisation's slug */
                orgSlug: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        events: components["schemas"]["AuditEvent"][];
                        /** @description Pass as `cursor` for the next (older) page; null on the last */
                        nextCursor: number | null;
                    };
                };
            };
            /** @description The input was refused; `message` says which field and why */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.BAD_REQUEST"];
                };
            };
            /** @description No API key, or one that is revoked or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.UNAUTHORIZED"];
                };
            };
            /** @description The key's scopes or its maker's role do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.FORBIDDEN"];
                };
            };
            /** @description No such organisation (or not the key's), or no such record in it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.NOT_FOUND"];
                };
            };
        };
    };
    listMembers: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The organisation's slug */
                orgSlug: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        members: components["schemas"]["Member"][];
                    };
                };
            };
            /** @description The input was refused; `message` says which field and why */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.BAD_REQUEST"];
                };
            };
            /** @description No API key, or one that is revoked or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.UNAUTHORIZED"];
                };
            };
            /** @description The key's scopes or its maker's role do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.FORBIDDEN"];
                };
            };
            /** @description No such organisation (or not the key's), or no such record in it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["error.NOT_FOUND"];
                };
            };
        };
    };
    exportAuditEvents: {
        parameters: {
            query?: {
                actor?: string;
                action?: string;
                target?: string;
                outcome?: "SUCCESS" | "FAILURE" | "DENIED";
                from?: string;
                to?: string;
                q?: string;
                format?: "csv" | "ndjson";
            };
            header?: never;
            path: {
                orgSlug: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The events, streamed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": string;
                    "application/x-ndjson": string;
                };
            };
            /** @description A filter or the format was refused */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExportRefusal"];
                };
            };
            /** @description No API key, or one that is revoked or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExportRefusal"];
                };
            };
            /** @description The key's scopes or its maker's role do not allow audit.export */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExportRefusal"];
                };
            };
            /** @description No such organisation (or not the key's) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExportRefusal"];
                };
            };
            /** @description Too many exports at once; retry after the Retry-After seconds */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExportRefusal"];
                };
            };
        };
    };
}
