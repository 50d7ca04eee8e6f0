/**
 * The server's answers by request, most recently used kept. The runs' tables never change while the server runs and
 * every answer is a function of its request (the perturbation is keyed by the records, not drawn per request), so an
 * identical request gets the identical answer from here without a query: going back to an earlier filter, or the
 * page asking the same totals for two charts, costs nothing. Requests asked while their answer is still being
 * computed wait for that one computation. Failed answers are not kept.
 */
export class AnswerCache {
  private readonly entries = new Map<string, { answer: Promise<unknown>; size: number }>();
  private bytes = 0;

  /**
   * @param maxBytes most bytes of answers (as JSON text) kept
   * @param maxEntries most answers kept
   */
  constructor(
    private readonly maxBytes = 64 * 1024 * 1024,
    private readonly maxEntries = 20_000,
  ) {}

  /** Number of answers kept (including those being computed). */
  get size(): number {
    return this.entries.size;
  }

  /** The answer to `key`: the one kept, or `compute()`'s, kept when it succeeds. */
  get<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const found = this.entries.get(key);
    if (found) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, found);
      return found.answer as Promise<T>;
    }
    const answer = compute();
    const entry = { answer: answer as Promise<unknown>, size: 0 };
    this.entries.set(key, entry);
    answer.then(
      (value) => {
        if (this.entries.get(key) !== entry) return;
        entry.size = key.length + JSON.stringify(value).length;
        this.bytes += entry.size;
        this.evict();
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return answer;
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.bytes <= this.maxBytes && this.entries.size <= this.maxEntries) return;
      // Answers still being computed (size 0) are not evicted: their waiters hold them anyway.
      if (entry.size === 0) continue;
      this.entries.delete(key);
      this.bytes -= entry.size;
    }
  }
}
