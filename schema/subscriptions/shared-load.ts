import type { EventHub, EventRow } from '../../server/pubsub/event-hub.ts';

interface RelationalQuery<T> extends PromiseLike<T> {
  toSQL(): { sql: string; params: unknown[] };
}

const loadsByHub = new WeakMap<EventHub, Map<string, Promise<unknown>>>();

/**
 * Runs the query that resolves part of an event's payload once for every subscriber who needs
 * the same statement for the same event. Subscribers with the same selection produce the same
 * SQL and parameters. A selection that depends on the viewer has the viewer among its parameters,
 * so it gets its own load. Keys include the event id, so a later event never sees an earlier
 * event's rows.
 */
export function loadOncePerEvent<T>(
  hub: EventHub,
  event: EventRow,
  query: RelationalQuery<T>,
): Promise<T> {
  let loads = loadsByHub.get(hub);
  if (!loads) {
    loads = new Map();
    loadsByHub.set(hub, loads);
  }
  const { sql, params } = query.toSQL();
  const key = `${event.id}\u0000${sql}\u0000${JSON.stringify(params)}`;
  let load = loads.get(key);
  if (!load) {
    load = Promise.resolve(query);
    loads.set(key, load);
    // Shared only while the load is in flight, by the subscribers woken together: a later
    // subscriber (a replay) reads the row as it is then.
    const entries = loads;
    const forget = () => setImmediate(() => entries.delete(key));
    load.then(forget, forget);
  }
  return load as Promise<T>;
}
