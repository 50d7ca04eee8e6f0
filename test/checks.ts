import { expect } from "vitest";
import { UserError } from "../src/util/errors.js";

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

/**
 * The UserError a promise rejects with; the test fails when the promise resolves or rejects with anything else.
 * @param p the promise to wait for
 */
export async function userError(p: Promise<unknown>): Promise<UserError> {
  const e: unknown = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(UserError);
  return e as UserError;
}
