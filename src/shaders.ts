// The WGSL sources, bundled as text (Vite `?raw`), so the library never fetches at run time.

import biasGrad from '../shaders/bias_grad.wgsl?raw';
import gather from '../shaders/gather.wgsl?raw';
import matmul from '../shaders/matmul.wgsl?raw';
import nonzero from '../shaders/nonzero.wgsl?raw';
import optimizer from '../shaders/optimizer.wgsl?raw';
import softmax from '../shaders/softmax.wgsl?raw';

export const shaders = {
  'bias_grad.wgsl': biasGrad,
  'gather.wgsl': gather,
  'matmul.wgsl': matmul,
  'nonzero.wgsl': nonzero,
  'optimizer.wgsl': optimizer,
  'softmax.wgsl': softmax,
};
export type ShaderFile = keyof typeof shaders;
