// The activations the kernels apply (activate and activate_grad in shaders/common.wgsl), and the override
// constants that choose one. `alpha` is leaky_relu's slope or elu's alpha (0 for the others).

export type ActivationName = 'identity' | 'relu' | 'leaky_relu' | 'elu' | 'sigmoid' | 'tanh';

export interface Activation {
  name: ActivationName;
  alpha: number;
}

export const IDENTITY: Activation = { name: 'identity', alpha: 0 };

const CODES: Record<ActivationName, number> = { identity: 0, relu: 1, leaky_relu: 2, elu: 3, sigmoid: 4, tanh: 5 };

/** The override constants of shaders/common.wgsl that choose an activation: ACTIVATION (its code) and ALPHA. */
export function activationConstants(a: Activation): { ACTIVATION: number; ALPHA: number } {
  return { ACTIVATION: CODES[a.name], ALPHA: a.alpha };
}
