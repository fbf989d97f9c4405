"use client";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useState } from "react";

/** The current time, ticking every `ms` while `active` (for elapsed times of running work). */
export function useNow(ms: number, active = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms, active]);
  return now;
}

/** `value`, once it has stopped changing for `ms` (what the server is asked as you type). */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/**
 * The page's query string as state: read a parameter, or link to / go to the page with some
 * parameters changed (null removes one) and the others kept.
 */
export function useUrlState() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const href = useCallback(
    (changes: Record<string, string | null>) => {
      const next = new URLSearchParams(params);
      for (const [key, value] of Object.entries(changes)) {
        if (value === null || value === "") next.delete(key);
        else next.set(key, value);
      }
      return next.size ? `${pathname}?${next}` : pathname;
    },
    [params, pathname],
  );
  const set = useCallback(
    (changes: Record<string, string | null>) => router.replace(href(changes), { scroll: false }),
    [router, href],
  );
  return { get: (key: string) => params.get(key), href, set };
}
