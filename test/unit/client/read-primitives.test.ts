/**
 * The small parts of the read engine: the request gate (Workers' 6 connections waiting for
 * headers), node health (deadlines from latency, the circuit breaker), the hedge timer that lets
 * pending I/O run first, and the Fisher–Yates shuffle.
 */
import { describe, expect, it } from 'vitest';
import {
  BREAKER_OPEN_MS,
  HEADERS_DEADLINE_MS_INITIAL,
  HEADERS_DEADLINE_MS_MAX,
  HEADERS_DEADLINE_MS_MIN,
  NodeHealth,
  LATE_SKIP_MS,
} from '../../../client/node-health.js';
import { afterDeadline } from '../../../client/read/nodes.js';
import { RequestGate } from '../../../client/request-gate.js';
import { shuffled } from '../../../client/lanes.js';
import { seededRandom } from '../../helpers/random.js';

describe('RequestGate', () => {
  it('lets `limit` requests wait for headers at once and queues the rest in order', async () => {
    const gate = new RequestGate(2);
    const order: number[] = [];
    const first = await gate.acquire();
    const second = await gate.acquire();
    const third = gate.acquire().then((release) => {
      order.push(3);
      return release;
    });
    const fourth = gate.acquire().then((release) => {
      order.push(4);
      return release;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([]);
    first();
    first(); // a second release of the same slot changes nothing
    (await third)();
    second();
    (await fourth)();
    expect(order).toEqual([3, 4]);
  });

  it('drops a waiter whose signal aborts, without losing a slot', async () => {
    const gate = new RequestGate(1);
    const held = await gate.acquire();
    const controller = new AbortController();
    const waiting = gate.acquire(controller.signal);
    controller.abort(new Error('client went away'));
    await expect(waiting).rejects.toThrow('client went away');
    held();
    (await gate.acquire())();
    expect(() => new RequestGate(0)).toThrow(RangeError);
  });
});

describe('NodeHealth', () => {
  it('derives deadlines from latency, clamped, the network figure standing in for new nodes', () => {
    const health = new NodeHealth(() => 0);
    expect(health.headersDeadlineMs('a')).toBe(HEADERS_DEADLINE_MS_INITIAL);
    health.recordHeaders('a', 1);
    expect(health.headersDeadlineMs('a')).toBe(HEADERS_DEADLINE_MS_MIN);
    expect(health.headersDeadlineMs('b')).toBe(HEADERS_DEADLINE_MS_MIN);
    for (let i = 0; i < 50; i++) health.recordHeaders('slow', 10_000);
    expect(health.headersDeadlineMs('slow')).toBe(HEADERS_DEADLINE_MS_MAX);
  });

  it('skips a node that timed out or lied until the breaker closes, and after a success', () => {
    let now = 1_000;
    const health = new NodeHealth(() => now);
    health.recordFailure('a', 'error');
    expect(health.isSkipped('a')).toBe(false);
    health.recordFailure('a', 'timeout');
    expect(health.isSkipped('a')).toBe(true);
    now += BREAKER_OPEN_MS + 1;
    expect(health.isSkipped('a')).toBe(false);
    health.recordFailure('a', 'invalid-data');
    expect(health.isSkipped('a')).toBe(true);
    health.recordHeaders('a', 5);
    expect(health.isSkipped('a')).toBe(false);
    health.markBatchUnsupported('a');
    expect(health.batchSupported('a')).toBe(false);
    expect(health.batchSupported('b')).toBe(true);
  });
});

describe('NodeHealth, late nodes', () => {
  it('skips a node that missed a deadline longer with each miss in a row, until it answers', () => {
    let now = 0;
    const health = new NodeHealth(() => now);
    const skipOf = () => {
      const from = now;
      while (health.isSkipped('a')) now += 100;
      const skipped = now - from;
      now += 1;
      return skipped;
    };
    health.recordFailure('a', 'late');
    // Other reads of the same moment missing it too are the same strike.
    health.recordFailure('a', 'late');
    expect(skipOf()).toBe(LATE_SKIP_MS);
    health.recordFailure('a', 'late');
    expect(skipOf()).toBe(2 * LATE_SKIP_MS);
    health.recordFailure('a', 'late');
    expect(skipOf()).toBe(4 * LATE_SKIP_MS);
    for (let i = 0; i < 5; i++) {
      health.recordFailure('a', 'late');
      expect(skipOf()).toBeLessThanOrEqual(BREAKER_OPEN_MS);
    }
    expect(BREAKER_OPEN_MS).toBeLessThan(8 * LATE_SKIP_MS);
    health.recordHeaders('a', 3);
    health.recordFailure('a', 'late');
    expect(skipOf()).toBe(LATE_SKIP_MS);
  });
});

describe('afterDeadline', () => {
  it('fires after the deadline, never once cancelled', async () => {
    let fired = 0;
    afterDeadline(5, () => fired++);
    const cancel = afterDeadline(5, () => fired++);
    cancel();
    await new Promise((r) => setTimeout(r, 40));
    expect(fired).toBe(1);
  });
});

describe('shuffled', () => {
  it('is a permutation, and uniform enough that every item leads about equally often', () => {
    const random = seededRandom(3);
    const leads = [0, 0, 0, 0];
    for (let i = 0; i < 4_000; i++) {
      const order = shuffled([0, 1, 2, 3], random);
      expect([...order].sort()).toEqual([0, 1, 2, 3]);
      leads[order[0]]++;
    }
    for (const count of leads) expect(Math.abs(count - 1_000)).toBeLessThan(150);
  });
});
