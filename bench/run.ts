// `npm run bench`: every benchmark, one after another, each reporting ratios against a
// baseline it measures in the same run.
await import("./audit.ts");

export {};
