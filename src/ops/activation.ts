// The activations the kernels apply (shaders/matmul.wgsl and shaders/pointwise.wgsl), and the shader flags
// that choose one. `alpha` is leaky_relu's slope or elu's alpha (0 for the others).

export type ActivationName = 'identity' | 'relu' | 'leaky_relu' | 'elu' | 'sigmoid' | 'tanh';

export interface Activation {
  name: ActivationName;
  alpha: number;
}

export const IDENTITY: Activation = { name: 'identity', alpha: 0 };

/** The `#if ${flag}` flags of an activation; identity sets none. */
export function activationFlags(a: Activation): Record<'relu' | 'leakyRelu' | 'elu' | 'sigmoid' | 'tanh', boolean> {
  return { relu: a.name === 'relu', leakyRelu: a.name === 'leaky_relu', elu: a.name === 'elu', sigmoid: a.name === 'sigmoid', tanh: a.name === 'tanh' };
}
