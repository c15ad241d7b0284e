// The WGSL sources, bundled as text (Vite `?raw`), so the library never fetches at run time.

import batchNorm from '../shaders/batch_norm.wgsl?raw';
import batchNormStats from '../shaders/batch_norm_stats.wgsl?raw';
import biasGrad from '../shaders/bias_grad.wgsl?raw';
import common from '../shaders/common.wgsl?raw';
import conv2d from '../shaders/conv2d.wgsl?raw';
import convDirect from '../shaders/conv_direct.wgsl?raw';
import gather from '../shaders/gather.wgsl?raw';
import gemm from '../shaders/gemm.wgsl?raw';
import matmulBackwardInput from '../shaders/matmul_backward_input.wgsl?raw';
import matmulBackwardWeight from '../shaders/matmul_backward_weight.wgsl?raw';
import matmulForward from '../shaders/matmul_forward.wgsl?raw';
import matmulTexels from '../shaders/matmul_texels.wgsl?raw';
import nonzero from '../shaders/nonzero.wgsl?raw';
import optimizer from '../shaders/optimizer.wgsl?raw';
import pointwise from '../shaders/pointwise.wgsl?raw';
import pool from '../shaders/pool.wgsl?raw';
import softmax from '../shaders/softmax.wgsl?raw';
import texels from '../shaders/texels.wgsl?raw';
import winograd from '../shaders/winograd.wgsl?raw';
import winogradGrad from '../shaders/winograd_grad.wgsl?raw';
import winogradProduct from '../shaders/winograd_product.wgsl?raw';
import winogradTile from '../shaders/winograd_tile.wgsl?raw';
import winogradWeightGrad from '../shaders/winograd_weight_grad.wgsl?raw';

export const shaders = {
  'batch_norm.wgsl': batchNorm,
  'batch_norm_stats.wgsl': batchNormStats,
  'bias_grad.wgsl': biasGrad,
  'common.wgsl': common,
  'conv2d.wgsl': conv2d,
  'conv_direct.wgsl': convDirect,
  'gather.wgsl': gather,
  'gemm.wgsl': gemm,
  'matmul_backward_input.wgsl': matmulBackwardInput,
  'matmul_backward_weight.wgsl': matmulBackwardWeight,
  'matmul_forward.wgsl': matmulForward,
  'matmul_texels.wgsl': matmulTexels,
  'nonzero.wgsl': nonzero,
  'optimizer.wgsl': optimizer,
  'pointwise.wgsl': pointwise,
  'pool.wgsl': pool,
  'softmax.wgsl': softmax,
  'texels.wgsl': texels,
  'winograd.wgsl': winograd,
  'winograd_grad.wgsl': winogradGrad,
  'winograd_product.wgsl': winogradProduct,
  'winograd_tile.wgsl': winogradTile,
  'winograd_weight_grad.wgsl': winogradWeightGrad,
};
export type ShaderFile = keyof typeof shaders;
