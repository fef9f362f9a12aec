/**
 * A bounded in-memory map that forgets the least recently used entry first: what an isolate or a
 * process keeps of immutable, content-addressed things (verified metadata by blob ID, say).
 */
export class MemoryLru<V> {
  private readonly entries = new Map<string, V>();
  constructor(private readonly entriesMax: number) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.entriesMax) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
