/** Only same-site paths, so a crafted link cannot bounce a fresh session elsewhere. */
export function safeCallback(value: FormDataEntryValue | string | null | undefined): string {
  const text = typeof value === "string" ? value : "";
  return text.startsWith("/") && !text.startsWith("//") && !text.startsWith("/\\") ? text : "/";
}
