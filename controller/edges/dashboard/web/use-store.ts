import { useEffect, useState } from 'preact/hooks';
import type { AppsStore } from './apps-store.js';

/** Re-renders when the store changes. */
export function useStore(store: AppsStore): AppsStore {
  const [, setVersion] = useState(0);
  useEffect(() => store.subscribe(() => setVersion((n) => n + 1)), [store]);
  return store;
}

/** The current time, refreshed every `ms`, for "3 min ago" labels. */
export function useNow(ms = 10_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}
