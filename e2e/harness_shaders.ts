// Every shader module the engine can build (src/ops/variants.ts), compiled by this page's WebGPU: Tint in
// Chromium, naga in Deno. A compiler's error or warning fails the module, and so does a pipeline of it with any
// of its sets of override constants but the activation's (which only picks a branch), as the engine builds them.
import { everyShaderModule } from '../src/ops/variants';

export async function compileEveryModule(): Promise<{ modules: number; sources: number; pipelines: number; adapter: string; failures: string[] }> {
  const modules = await everyShaderModule();
  const adapter = (await navigator.gpu.requestAdapter())!;
  const device = await adapter.requestDevice(); // the spec's default limits: what every adapter grants
  const failures: string[] = [];
  const compiled = new Map<string, GPUShaderModule>();
  for (const m of new Map(modules.map((m) => [m.code, m])).values()) {
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ label: m.label, code: m.code });
    const messages = (await module.getCompilationInfo()).messages.filter((msg) => msg.type === 'error' || msg.type === 'warning');
    for (const msg of messages) failures.push(`${m.label} ${msg.type} at ${msg.lineNum}:${msg.linePos}: ${msg.message}`);
    const error = await device.popErrorScope();
    if (error && messages.length === 0) failures.push(`${m.label}: ${error.message}`);
    if (!error && messages.length === 0) compiled.set(m.code, module);
  }
  const pipelines = new Map(modules.filter((m) => compiled.has(m.code)).map((m) => {
    const constants = Object.fromEntries(Object.entries(m.constants).filter(([name]) => name !== 'ACTIVATION' && name !== 'ALPHA'));
    return [JSON.stringify([m.code, constants]), { ...m, constants }];
  }));
  for (const m of pipelines.values()) {
    device.pushErrorScope('validation');
    device.createComputePipeline({ label: m.label, layout: 'auto', compute: { module: compiled.get(m.code)!, constants: m.constants } });
    const error = await device.popErrorScope();
    if (error) failures.push(`${m.label} ${JSON.stringify(m.constants)}: ${error.message}`);
  }
  device.destroy();
  const info = adapter.info;
  return { modules: modules.length, sources: compiled.size, pipelines: pipelines.size, adapter: `${info.vendor} ${info.architecture} ${info.description}`.trim(), failures };
}
