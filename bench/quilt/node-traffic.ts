/**
 * What a client exchanges with the storage nodes, counted at its fetch (passed to the SDK as
 * `nodeOptions.fetch`): requests, response body bytes by kind (metadata, slivers, recovery
 * symbols, other) and request body bytes sent. Bodies are counted as they stream, so a reply
 * cancelled part-way counts only what arrived.
 */

export type TrafficKind = 'metadata' | 'slivers' | 'recovery' | 'other';

export interface NodeTraffic {
  requests: number;
  received: Record<TrafficKind, number>;
  sent: number;
}

function kindOf(url: string): TrafficKind {
  const path = new URL(url).pathname;
  if (path.endsWith('/metadata')) return 'metadata';
  if (path.includes('/slivers')) return 'slivers';
  if (path.includes('/recoverySymbols')) return 'recovery';
  return 'other';
}

export function emptyTraffic(): NodeTraffic {
  return { requests: 0, received: { metadata: 0, slivers: 0, recovery: 0, other: 0 }, sent: 0 };
}

export function receivedBytes(traffic: NodeTraffic): number {
  return Object.values(traffic.received).reduce((sum, bytes) => sum + bytes, 0);
}

/** A fetch that adds what passes through it to `traffic` (read `traffic` after the call ends). */
export function countingFetch(traffic: NodeTraffic): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    traffic.requests++;
    const body = init?.body;
    if (body instanceof Uint8Array) traffic.sent += body.length;
    else if (typeof body === 'string') traffic.sent += new TextEncoder().encode(body).length;
    const response = await fetch(input, init);
    if (response.body === null) return response;
    const kind = kindOf(url);
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          traffic.received[kind] += chunk.length;
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}
