// Every shader variant the engine can ask for resolves to plain WGSL; flag mistakes are caught by name.
import { expect, test } from 'vitest';
import { ShaderCompileError } from '../errors';
import { shaders } from '../shaders';
import { preprocess } from './shader';

const flagsIn = (source: string) => [...source.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]);
const { 'common.wgsl': common, ...kernels } = shaders;

test('each file resolves with any one flag on, leaving no directives behind', () => {
  for (const [file, source] of Object.entries(kernels)) {
    const names = [...new Set(flagsIn(source))];
    for (const on of [undefined, ...names]) {
      const flags = Object.fromEntries(names.map((n) => [n, n === on]));
      const code = preprocess(file, source, flags);
      expect(code, `${file} with ${on}`).not.toMatch(/#(if|elif|else|endif)|\$\{/);
      expect(code).toContain('fn main');
    }
  }
});

test('variants keep only their own bindings', () => {
  const source = shaders['matmul.wgsl'];
  const flags = Object.fromEntries(flagsIn(source).map((n) => [n, false]));
  const forward = preprocess('matmul.wgsl', source, { ...flags, forward: true });
  expect(forward).toContain('var<storage, read_write> out');
  expect(forward).not.toContain('read_write> dweight');
  expect(forward).toContain('activate(acc + bias[n])'); // common.wgsl's, chosen by the ACTIVATION override
});

test('missing or unknown flags are errors naming the file and flag', () => {
  expect(() => preprocess('gather.wgsl', shaders['gather.wgsl'], {})).toThrow(ShaderCompileError);
  expect(() => preprocess('gather.wgsl', shaders['gather.wgsl'], {})).toThrow(/gather\.wgsl: flag \$\{bytes\} needs a boolean/);
  expect(() => preprocess('gather.wgsl', shaders['gather.wgsl'], { bytes: true, augment: false, typo: true })).toThrow(/no flag \$\{typo\}/);
});

test('the Step record, the activations and the hash are written once, in common.wgsl, which every kernel gets', () => {
  const step = /struct Step \{[^}]*\}/.exec(common)?.[0];
  expect(step?.match(/: (u32|f32)/g)).toHaveLength(6); // batch_start, rows, learning_rate, adam_c1, adam_c2, seed: src/model/schedule.ts
  for (const shared of ['struct Step', 'var<uniform> step', 'fn activate(', 'fn activate_grad(', 'fn hash(', 'override ALPHA', 'override ACTIVATION']) {
    expect(common).toContain(shared);
    for (const [file, source] of Object.entries(kernels)) expect(source, `${file} has its own ${shared}`).not.toContain(shared);
  }
});
