// The option forms layers share, and their checks: activations, [height, width] pairs, the fields a layer
// takes. Each check throws ArgumentError naming the path (e.g. `layers[2].kernelSize`) and what is accepted.

import { finite, isCount, oneOf } from '../check';
import { ArgumentError } from '../errors';
import type { Activation, ActivationName } from '../ops/activation';

export type ActivationOption =
  | ActivationName
  | { name: 'leaky_relu'; slope?: number }
  | { name: 'elu'; alpha?: number }
  | { name: Exclude<ActivationName, 'leaky_relu' | 'elu'> };

/** A number for both, or [height, width]. */
export type Pair = number | [number, number];

export const ACTIVATIONS: ActivationName[] = ['identity', 'relu', 'leaky_relu', 'elu', 'sigmoid', 'tanh'];

export function activationOf(at: string, value: unknown, fallback: ActivationName): Activation {
  const option = typeof value === 'string' || value === undefined ? { name: value ?? fallback } : value;
  if (typeof option !== 'object' || option === null) throw new ArgumentError(at, value, 'a name or { name, slope | alpha }');
  const name = oneOf(at, (option as { name?: unknown }).name, ACTIVATIONS, fallback);
  if (name === 'leaky_relu') {
    const slope = (option as { slope?: number }).slope;
    return { name, alpha: finite(`${at}.slope`, slope, 0.01, 'a finite number >= 0', (x) => x >= 0) };
  }
  if (name === 'elu') {
    const alpha = (option as { alpha?: number }).alpha;
    return { name, alpha: finite(`${at}.alpha`, alpha, 1, 'a finite number > 0', (x) => x > 0) };
  }
  return { name, alpha: 0 };
}

/** The option form of a resolved activation: what activationOf turns back into it. */
export function activationOption(a: Activation): ActivationOption {
  if (a.name === 'leaky_relu') return { name: 'leaky_relu', slope: a.alpha };
  if (a.name === 'elu') return { name: 'elu', alpha: a.alpha };
  return a.name;
}

/** [height, width] from a positive integer or a pair of them; `fallback` when undefined (if given). */
export function pairOf(at: string, value: unknown, fallback?: [number, number]): [number, number] {
  if (value === undefined && fallback) return fallback;
  if (isCount(value)) return [value, value];
  if (Array.isArray(value) && value.length === 2 && value.every(isCount)) return [value[0], value[1]];
  throw new ArgumentError(at, value, 'a positive integer or [height, width] of positive integers');
}

/** Rejects any field of `layer` that its type does not take (a misspelt option would otherwise be ignored). */
export function onlyFields(at: string, layer: object, fields: string[]): void {
  for (const key of Object.keys(layer)) {
    if (!fields.includes(key)) {
      throw new ArgumentError(`${at}.${key}`, (layer as Record<string, unknown>)[key], `no such field: a ${String((layer as { type?: unknown }).type)} layer takes ${fields.join(', ')}`);
    }
  }
}

/** A number for one value, [height, width] for two: how the layer syntax writes a Pair. */
export const pairFrom = (values: number[]): Pair => (values.length === 1 ? values[0] : [values[0], values[1]]);
