/**
 * `value` itself, failing the test at once when it is null or undefined, so the lookups a test relies on
 * (a row found by name, an optional section of results.json) fail with a message instead of a TypeError later.
 * @param value the value to check
 * @param what what the value is, for the failure message
 */
export function defined<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`expected ${what}, got ${String(value)}`);
  return value;
}
