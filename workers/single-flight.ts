/**
 * Concurrent misses for the same thing in one isolate share one fetch: the first caller's promise
 * is handed to every caller that asks for the same key while it is pending. A failure is shared
 * too, and forgotten at once, so the next request tries again.
 */
const pending = new Map<string, Promise<unknown>>();

/** Flights in progress at once; past this, callers fetch on their own rather than grow the map. */
const FLIGHTS_MAX = 4_096;

export function singleFlight<T>(key: string, fetch: () => Promise<T>): Promise<T> {
  const existing = pending.get(key);
  if (existing !== undefined) return existing as Promise<T>;
  if (pending.size >= FLIGHTS_MAX) return fetch();
  const flight = fetch().finally(() => pending.delete(key));
  pending.set(key, flight);
  return flight;
}
