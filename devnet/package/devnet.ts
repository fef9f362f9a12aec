/**
 * Ledger-side helpers for the devnet: find and read the shared System, and advance Walrus epochs
 * on a timer. Move's `system::advance_epoch(system, clock)` is permissionless once the admin has
 * selected the next committee and `epoch_duration_ms` has passed since the last epoch change
 * completed; the timer checks that on chain state and only then submits the call (as a system
 * transaction from 0x0), so it never records failing transactions and is idempotent.
 */
import { CLOCK_ID, type Ledger } from '../ledger/ledger.js';
import type { TxRecord } from '../ledger/state.js';
import { epochStateOf, SYSTEM, SYSTEM_TYPE, VERSION, type SystemFields } from './system.js';

/** How often the timer checks whether `advance_epoch` is due (the ledger ticks every second). */
export const EPOCH_TIMER_INTERVAL_MS_DEFAULT = 1000;

/** The ID of the shared System (created by genesis or by `create_system`), if there is one. */
export function findSystemId(ledger: Ledger): string | undefined {
  for (const record of ledger.state.objects.values()) {
    if (record.type === SYSTEM_TYPE && record.owner.kind === 'shared') return record.id;
  }
  return undefined;
}

/** The committed System's fields. */
export function readSystem(ledger: Ledger, systemId: string): SystemFields {
  const record = ledger.getObject(systemId);
  if (record === undefined || record.type !== SYSTEM_TYPE)
    throw new Error(`${systemId} is not the walrus_edge System`);
  return SYSTEM.parse(record.contents) as SystemFields;
}

/**
 * Calls `system::advance_epoch` if Move would accept it now (state `NextSelected` and, after
 * epoch 0, the epoch duration passed). Returns the transaction, or undefined when not due.
 */
export function advanceEpochIfDue(
  ledger: Ledger,
  systemId: string | undefined = findSystemId(ledger),
): TxRecord | undefined {
  if (systemId === undefined) return undefined;
  const system = readSystem(ledger, systemId);
  if (BigInt(system.version) !== VERSION) return undefined;
  const state = epochStateOf(system.epoch_state);
  if (state.kind !== 'NextSelected') return undefined;
  const due = state.timestampMs + BigInt(system.epoch_duration_ms);
  if (system.committee.epoch !== 0 && BigInt(ledger.now()) < due) return undefined;
  return ledger.systemMoveCall(`${SYSTEM_TYPE.split('::')[0]}::system::advance_epoch`, [
    { object: systemId },
    { object: CLOCK_ID },
  ]);
}

export interface EpochTimerOptions {
  /** Defaults to the System found on the ledger when the timer first fires. */
  readonly systemId?: string;
  /** Defaults to {@link EPOCH_TIMER_INTERVAL_MS_DEFAULT}. */
  readonly intervalMs?: number;
}

/** Registers a ledger timer that advances the Walrus epoch whenever it is due. */
export function installEpochTimer(ledger: Ledger, options: EpochTimerOptions = {}): void {
  let systemId = options.systemId;
  ledger.addTimer({
    name: 'walrus-edge:advance_epoch',
    intervalMs: options.intervalMs ?? EPOCH_TIMER_INTERVAL_MS_DEFAULT,
    run: (l) => {
      // Found once: there is at most one System (create_system consumes the only InitCap).
      systemId ??= findSystemId(l);
      advanceEpochIfDue(l, systemId);
    },
  });
}
