// Every shader variant the engine can ask for resolves to plain WGSL; flag mistakes are caught by name.
import { expect, test } from 'vitest';
import { ShaderCompileError } from '../errors';
import { shaders } from '../shaders';
import { preprocess } from './shader';

const flagsIn = (source: string) => [...source.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]);
const { 'common.wgsl': common, ...kernels } = shaders;
const matmuls = ['matmul_forward.wgsl', 'matmul_backward_input.wgsl', 'matmul_backward_weight.wgsl', 'winograd_product.wgsl'];

test('each file resolves with any one flag on, leaving no directives behind', () => {
  for (const [file, source] of Object.entries(kernels)) {
    const names = [...new Set(flagsIn(source))];
    for (const on of [undefined, ...names]) {
      const flags = Object.fromEntries(names.map((n) => [n, n === on]));
      const code = preprocess(file, source, flags);
      expect(code, `${file} with ${on}`).not.toMatch(/#(if|elif|else|endif)|\$\{/);
      // A matmul's file says where its operands lie; gemm.wgsl, appended (src/ops/matmul.ts, winograd.ts), has the entry point.
      // winograd_tile.wgsl is appended to passes that have theirs.
      if (file === 'winograd_tile.wgsl') expect(code).not.toContain('@compute');
      else if (!matmuls.includes(file)) expect(code).toContain('fn main');
    }
  }
});

test('each matmul file says what gemm.wgsl asks of it, and only gemm.wgsl computes', () => {
  const asked = ['fn size_mnk(', 'fn k_range(', 'fn k_steps(', 'fn a_at(', 'fn a_start(', 'fn a_offset(', 'fn b_at(', 'fn b_start(', 'fn b_offset('];
  for (const file of matmuls) {
    const source = shaders[file as keyof typeof shaders];
    const off = preprocess(file, source, Object.fromEntries(flagsIn(source).map((n) => [n, false])));
    for (const fn of [...asked, 'fn store_c(']) expect(off, `${file} lacks ${fn}`).toContain(fn);
    expect(source).not.toContain('@compute');
  }
  const pooled = preprocess('matmul_forward.wgsl', shaders['matmul_forward.wgsl'], { sparse: false, patches: true, pooled: true, live: false });
  expect(pooled).toContain('fn store_window(');
  expect(pooled).toContain('activate(best + bias[n])'); // common.wgsl's, chosen by the ACTIVATION override
  expect(pooled).not.toContain('read_write> dweight');
});

test('missing or unknown flags are errors naming the file and flag', () => {
  expect(() => preprocess('gather.wgsl', shaders['gather.wgsl'], {})).toThrow(ShaderCompileError);
  expect(() => preprocess('gather.wgsl', shaders['gather.wgsl'], {})).toThrow(/gather\.wgsl: flag \$\{bytes\} needs a boolean/);
  expect(() => preprocess('gather.wgsl', shaders['gather.wgsl'], { bytes: true, augment: false, vec4: false, typo: true })).toThrow(/no flag \$\{typo\}/);
});

test('the Step record, the activations and the hash are written once, in common.wgsl, which every kernel gets', () => {
  const step = /struct Step \{[^}]*\}/.exec(common)?.[0];
  expect(step?.match(/: (u32|f32)/g)).toHaveLength(6); // batch_start, rows, learning_rate, adam_c1, adam_c2, seed: src/model/schedule.ts
  for (const shared of ['struct Step', 'var<uniform> step', 'fn activate(', 'fn activate_grad(', 'fn hash(', 'override ALPHA', 'override ACTIVATION']) {
    expect(common).toContain(shared);
    for (const [file, source] of Object.entries(kernels)) expect(source, `${file} has its own ${shared}`).not.toContain(shared);
  }
});
