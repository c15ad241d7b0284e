// The thin runtime: acquire a device, make labelled buffers, compile pipelines (compile errors with
// line:col and source), bind, and read back. It knows nothing about neural networks.

import { DeviceLimitError, GPUExecutionError, ShaderCompileError, WebGPUUnavailableError } from '../errors';

/**
 * How a shader sees one binding. `step` is a uniform bound with a dynamic offset; `texels` a 2D texture of
 * rgba32float values, read through `nearest` (Gpu.nearest), and `writeTexels` one written with textureStore.
 */
export type Binding = 'uniform' | 'step' | 'read' | 'write' | 'texels' | 'writeTexels' | 'nearest';

/** What a bind group binds: a buffer (or a slice of one), a view of a texture, or a sampler. */
export type Resource = GPUBufferBinding | GPUTextureView | GPUSampler;

const HOW_TO_GET_WEBGPU =
  'WebGPU needs Chrome/Edge 113+, or Safari 26+, or Firefox 141+ on Windows, served from https or localhost. ' +
  'Headless Chromium needs --enable-unsafe-webgpu.';

/** Limits to ask of the adapter, by their GPUSupportedLimits names. */
export type RequiredLimits = Partial<Record<keyof GPUSupportedLimits, number>>;

/**
 * Gets a device with the adapter's largest buffer limits and `required` from `gpu` (by default the browser's
 * navigator.gpu; in Node, the `webgpu` package's). Every model the presets and the demo offer needs no more than
 * the spec's default limits; the largest buffer limits serve datasets over 128 MiB. Throws
 * WebGPUUnavailableError saying why there is no device, or DeviceLimitError naming a limit in `required` that
 * the adapter cannot grant.
 */
export async function requestDevice(gpu: GPU | undefined = globalThis.navigator?.gpu, required: RequiredLimits = {}): Promise<GPUDevice> {
  if (!gpu) throw new WebGPUUnavailableError(`navigator.gpu is not defined. ${HOW_TO_GET_WEBGPU}`);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    throw new WebGPUUnavailableError(`navigator.gpu.requestAdapter() found no adapter. ${HOW_TO_GET_WEBGPU}`);
  }
  for (const [limit, value] of Object.entries(required) as [keyof GPUSupportedLimits, number][]) {
    const granted = adapter.limits[limit];
    if (typeof granted !== 'number') throw new DeviceLimitError(`requiredLimits.${limit}`, value, limit, 0);
    // Limits named min… (alignments) are better smaller; the others larger.
    if (limit.startsWith('min') ? value < granted : value > granted) throw new DeviceLimitError(`requiredLimits.${limit}`, value, limit, granted);
  }
  try {
    // timestamp-query, where the adapter has it, lets benchmarks time each kernel (src/model/timing.ts).
    const requiredFeatures: GPUFeatureName[] = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
    return await adapter.requestDevice({
      label: 'webgpu-nn',
      requiredFeatures,
      requiredLimits: {
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
        ...required,
      },
    });
  } catch (cause) {
    throw new WebGPUUnavailableError(`adapter.requestDevice() failed: ${String(cause)}`);
  }
}

/** One device plus everything made on it: buffers and textures (with a byte count), cached pipelines, errors. */
export class Gpu {
  /** Bytes held in buffers and textures made through this object and not yet released. */
  bytesHeld = 0;
  private readonly sizes = new Map<GPUBuffer | GPUTexture, number>();
  private readonly pipelines = new Map<string, Promise<GPUComputePipeline>>();
  private readonly layouts = new Map<string, GPUBindGroupLayout>();
  /** Why the device was lost ("destroyed: …", "unknown: …"), once the browser has said so. */
  lost: string | undefined;
  private firstError: string | undefined;
  /**
   * The sampler that shaders read texels through (shaders/common.wgsl's texel_at): nearest, so that it gives a
   * texel's value as textureLoad would, and without the bounds checks that Dawn adds to every textureLoad.
   */
  readonly nearest: GPUSampler;

  constructor(readonly device: GPUDevice) {
    this.nearest = device.createSampler({ label: 'nearest', magFilter: 'nearest', minFilter: 'nearest' });
    device.addEventListener('uncapturederror', (event) => {
      this.firstError ??= (event as GPUUncapturedErrorEvent).error.message;
    });
    void device.lost.then((info) => {
      this.lost = `${info.reason}: ${info.message || 'no message'}`;
      this.firstError ??= `device lost (${this.lost})`;
    });
  }

  /** Why the device was lost, or undefined if it was not: waits a moment, since the browser says so asynchronously. */
  async lostReason(): Promise<string | undefined> {
    if (this.lost === undefined) await Promise.race([this.device.lost, new Promise((resolve) => setTimeout(resolve, 100))]);
    return this.lost;
  }

  /** Throws GPUExecutionError if the device reported an error since it was made. */
  check(): void {
    if (this.firstError !== undefined) throw new GPUExecutionError(`WebGPU error: ${this.firstError}`);
  }

  /** Throws DeviceLimitError when a storage buffer of `bytes` cannot exist or be bound on this device. */
  checkStorageSize(label: string, bytes: number): void {
    const { maxStorageBufferBindingSize, maxBufferSize } = this.device.limits;
    if (bytes > maxBufferSize) throw new DeviceLimitError(label, bytes, 'maxBufferSize', maxBufferSize);
    if (bytes > maxStorageBufferBindingSize) {
      throw new DeviceLimitError(label, bytes, 'maxStorageBufferBindingSize', maxStorageBufferBindingSize);
    }
  }

  buffer(label: string, bytes: number, usage: GPUBufferUsageFlags): GPUBuffer {
    // WebGPU requires sizes in multiples of 4 for copies and writes; never allocate zero bytes.
    const size = Math.max(4, Math.ceil(bytes / 4) * 4);
    const buffer = this.device.createBuffer({ label, size, usage });
    this.sizes.set(buffer, size);
    this.bytesHeld += size;
    return buffer;
  }

  /** A new buffer holding `data` (padded to 4 bytes). */
  upload(label: string, data: ArrayBufferView, usage: GPUBufferUsageFlags): GPUBuffer {
    const buffer = this.buffer(label, data.byteLength, usage | GPUBufferUsage.COPY_DST);
    const padded = new Uint8Array(buffer.size);
    padded.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    this.device.queue.writeBuffer(buffer, 0, padded);
    return buffer;
  }

  /**
   * A 2D texture of rgba32float texels, width × height (each at most the device's maxTextureDimension2D), that
   * shaders write with textureStore or copies fill, and shaders read through `nearest`.
   */
  texels(label: string, width: number, height: number): GPUTexture {
    const texture = this.device.createTexture({ label, size: [width, height], format: 'rgba32float',
      usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.STORAGE_BINDING | GPUTextureUsage.COPY_DST });
    this.sizes.set(texture, width * height * 16);
    this.bytesHeld += width * height * 16;
    return texture;
  }

  release(resource: GPUBuffer | GPUTexture): void {
    this.bytesHeld -= this.sizes.get(resource) ?? 0;
    this.sizes.delete(resource);
    resource.destroy();
  }

  /** A compute pipeline for `code` (entry point `main`), compiled once per code, constants and layout. */
  pipeline(label: string, code: string, constants: Record<string, number>, groups: Binding[][]): Promise<GPUComputePipeline> {
    const key = JSON.stringify([code, constants, groups]);
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      pipeline = this.compile(label, code, constants, groups);
      this.pipelines.set(key, pipeline);
    }
    return pipeline;
  }

  bindGroup(label: string, pipeline: GPUComputePipeline, group: number, resources: Resource[]): GPUBindGroup {
    return this.device.createBindGroup({
      label,
      layout: pipeline.getBindGroupLayout(group),
      entries: resources.map((resource, binding) => ({ binding, resource })),
    });
  }

  /** Copies `byteLength` bytes from `buffer` (which needs COPY_SRC) and waits for them. */
  async read(buffer: GPUBuffer, byteOffset = 0, byteLength = buffer.size - byteOffset): Promise<ArrayBuffer> {
    return (await this.readAll([{ buffer, byteOffset, byteLength }]))[0];
  }

  /** Reads several buffers (or ranges of them, multiples of 4 bytes) back through one staging buffer and one map. */
  async readAll(parts: { buffer: GPUBuffer; byteOffset?: number; byteLength?: number }[]): Promise<ArrayBuffer[]> {
    const ranges = parts.map(({ buffer, byteOffset = 0, byteLength = buffer.size - byteOffset }) => ({ buffer, byteOffset, byteLength }));
    const label = `${ranges[0].buffer.label}${ranges.length > 1 ? ` and ${ranges.length - 1} more` : ''}.readback`;
    const staging = this.device.createBuffer({
      label,
      size: ranges.reduce((sum, r) => sum + r.byteLength, 0),
      usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ,
    });
    const encoder = this.device.createCommandEncoder({ label });
    let at = 0;
    for (const r of ranges) {
      encoder.copyBufferToBuffer(r.buffer, r.byteOffset, staging, at, r.byteLength);
      at += r.byteLength;
    }
    this.device.queue.submit([encoder.finish()]);
    try {
      await staging.mapAsync(GPUMapMode.READ);
    } catch (cause) {
      this.check();
      throw new GPUExecutionError(`reading ${label.replace(/\.readback$/, '')} back failed: ${String(cause)}`);
    }
    const mapped = staging.getMappedRange();
    at = 0;
    const copies = ranges.map((r) => mapped.slice(at, (at += r.byteLength)));
    staging.destroy();
    this.check();
    return copies;
  }

  /** Workgroup counts for `threads` threads in 1-D groups of `workgroup`, folded into y past the x limit. */
  grid1d(threads: number, workgroup: number): [number, number] {
    const groups = Math.max(1, Math.ceil(threads / workgroup));
    const maxX = this.device.limits.maxComputeWorkgroupsPerDimension;
    return groups <= maxX ? [groups, 1] : [maxX, Math.ceil(groups / maxX)];
  }

  /** Destroys every buffer and texture still held; the device itself is left to its owner. */
  releaseAll(): void {
    for (const resource of this.sizes.keys()) resource.destroy();
    this.sizes.clear();
    this.bytesHeld = 0;
  }

  private async compile(label: string, code: string, constants: Record<string, number>, groups: Binding[][]): Promise<GPUComputePipeline> {
    // The error scope keeps a bad shader from poisoning the device's error state (see check()).
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ label, code });
    const info = await module.getCompilationInfo();
    const scopeError = await this.device.popErrorScope();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length > 0) {
      throw new ShaderCompileError(`WGSL compile failed:\n${errors.map((m) => formatMessage(label, code, m)).join('\n')}`);
    }
    if (scopeError) throw new ShaderCompileError(`${label}: ${scopeError.message}`);
    const layout = this.device.createPipelineLayout({
      label,
      bindGroupLayouts: groups.map((bindings) => this.bindGroupLayout(bindings)),
    });
    try {
      return await this.device.createComputePipelineAsync({ label, layout, compute: { module, entryPoint: 'main', constants } });
    } catch (cause) {
      throw new ShaderCompileError(`pipeline ${label} failed: ${String(cause)}`);
    }
  }

  /** One layout per distinct binding list, so bind groups made from it fit every pipeline using it. */
  bindGroupLayout(bindings: Binding[]): GPUBindGroupLayout {
    const key = bindings.join(',');
    let layout = this.layouts.get(key);
    if (!layout) {
      layout = this.device.createBindGroupLayout({
        label: `layout(${key})`,
        entries: bindings.map((kind, binding): GPUBindGroupLayoutEntry => {
          const visibility = GPUShaderStage.COMPUTE;
          if (kind === 'texels') return { binding, visibility, texture: { sampleType: 'unfilterable-float' } };
          if (kind === 'writeTexels') return { binding, visibility, storageTexture: { access: 'write-only', format: 'rgba32float' } };
          if (kind === 'nearest') return { binding, visibility, sampler: { type: 'non-filtering' } };
          const type = kind === 'read' ? 'read-only-storage' : kind === 'write' ? 'storage' : 'uniform';
          return { binding, visibility, buffer: { type, hasDynamicOffset: kind === 'step' } };
        }),
      });
      this.layouts.set(key, layout);
    }
    return layout;
  }
}

/** `shader:line:col: message`, then the source line and a caret under the column. */
export function formatMessage(label: string, code: string, message: GPUCompilationMessage): string {
  const source = code.split('\n')[message.lineNum - 1] ?? '';
  const caret = ' '.repeat(Math.max(0, message.linePos - 1)) + '^';
  return `${label}:${message.lineNum}:${message.linePos}: ${message.message}\n  ${source}\n  ${caret}`;
}
