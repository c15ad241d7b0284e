// Turns a WGSL file with `#if ${name}` blocks into plain WGSL, through wgsl-preprocessor.
// The files stay whole and readable; only boolean flags choose between the blocks they contain.

import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import { ShaderCompileError } from '../errors';

/** Flags for one variant of a shader: every `${name}` in the file must be given, and nothing else. */
export type Flags = Record<string, boolean>;

/** Resolves the `#if ${flag}` blocks of `source` (the file `file`) for `flags`. */
export function preprocess(file: string, source: string, flags: Flags): string {
  const parts = source.split(/\$\{(\w+)\}/); // text, name, text, name, ..., text
  const strings = parts.filter((_, i) => i % 2 === 0);
  const names = parts.filter((_, i) => i % 2 === 1);
  for (const name of names) {
    if (typeof flags[name] !== 'boolean') {
      throw new ShaderCompileError(`${file}: flag \${${name}} needs a boolean value (given: ${Object.keys(flags).join(', ')})`);
    }
  }
  for (const name of Object.keys(flags)) {
    if (!names.includes(name)) throw new ShaderCompileError(`${file}: no flag \${${name}} in this shader`);
  }
  const template = Object.assign([...strings], { raw: strings }) as unknown as TemplateStringsArray;
  try {
    return wgsl(template, ...names.map((name) => flags[name]));
  } catch (cause) {
    throw new ShaderCompileError(`${file}: ${(cause as Error).message}`);
  }
}
