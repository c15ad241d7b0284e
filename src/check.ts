// Small checks shared by every option parser: each throws ArgumentError naming the argument's path
// (e.g. `layers[2].kernelSize`), the value given and what would have been accepted.

import { ArgumentError } from './errors';

export const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x > 0;
const isFiniteNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** `value` if it is one of `accepted`, `fallback` if undefined. */
export function oneOf<T extends string>(argument: string, value: unknown, accepted: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!accepted.includes(value as T)) throw new ArgumentError(argument, value, `one of ${accepted.map((a) => `'${a}'`).join(', ')}`);
  return value as T;
}

/** A finite number that passes `ok`, or `fallback` if undefined. */
export function finite(argument: string, value: unknown, fallback: number, accepted: string, ok: (x: number) => boolean): number {
  if (value === undefined) return fallback;
  if (!isFiniteNumber(value) || !ok(value)) throw new ArgumentError(argument, value, accepted);
  return value;
}

/** A required positive integer. */
export function count(argument: string, value: unknown): number {
  if (!isCount(value)) throw new ArgumentError(argument, value, 'a positive integer');
  return value;
}

/** An integer in [0, 2^32), or `fallback` if undefined. */
export function seedOf(argument: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 0xffffffff) {
    throw new ArgumentError(argument, value, 'an integer in [0, 2^32)');
  }
  return value as number;
}
