/** The engines range from package.json. */
export function requiredNodeRange(): string;
/** Whether `version` satisfies a range such as "^20.19 || ^22.12 || >=24". */
export function satisfies(version: string, range: string): boolean;
/** Null when this Node.js fits, otherwise the line to show. */
export function nodeVersionProblem(version?: string, range?: string): string | null;
