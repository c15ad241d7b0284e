// How a sample's values are stored: channels first, (C, H, W) as PyTorch orders them (datasets, flatten and
// dense layers), or channels last, (H, W, C), as a convolution's product writes them, position by position.

export type Layout = 'chw' | 'hwc';

/** Where element (c, y, x) of a sample is: c · strides[0] + y · strides[1] + x · strides[2]. */
export function strides(layout: Layout, channels: number, height: number, width: number): [number, number, number] {
  return layout === 'chw' ? [height * width, width, 1] : [1, width * channels, channels];
}
