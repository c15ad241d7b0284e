// Where the autotune keeps its choices: per adapter, only for adapters that can be told apart, and only as long
// as the kernels it measured are the engine's.
import { expect, test } from 'vitest';
import { rememberedChoice, saveStrategy, strategyKey } from './autotune';

const info = (vendor: string, architecture: string, device = '', description = '', isFallbackAdapter = false) =>
  ({ vendor, architecture, device, description, isFallbackAdapter }) as unknown as GPUAdapterInfo;

/** A localStorage of a Map. */
function storage(): Storage {
  const items = new Map<string, string>();
  return {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    get length() { return items.size; },
  } as unknown as Storage;
}

/** Chooses between tiled (10 ms) and blocked (`blocked` ms), counting the measurements. */
function chooser(store: Storage, blocked = 5) {
  let measured = 0;
  const choose = (adapter: GPUAdapterInfo) => rememberedChoice(adapter, 'matmul', ['tiled', 'blocked'], (name) => {
    measured++;
    return Promise.resolve(name === 'tiled' ? 10 : blocked);
  }, store);
  return { choose, measured: () => measured };
}

test('a choice is measured once per adapter and then read back', async () => {
  const store = storage();
  const { choose, measured } = chooser(store);
  expect(await choose(info('google', 'swiftshader'))).toBe('blocked');
  expect(measured()).toBe(2);
  expect(await choose(info('google', 'swiftshader'))).toBe('blocked');
  expect(measured()).toBe(2);
  await choose(info('mesa', 'llvmpipe')); // another adapter: its own measurement
  expect(measured()).toBe(4);
});

test('adapters whose info strings are all empty share no key: each new device measures again', async () => {
  const store = storage();
  const empty = info('', '');
  expect(strategyKey(empty, 'matmul')).toBeUndefined();
  expect(strategyKey(info('', '', '', '', true), 'conv')).toBeUndefined();
  const { choose, measured } = chooser(store);
  await choose(empty);
  await choose(empty);
  expect(measured()).toBe(4);
  expect(store.length).toBe(0);
});

test('a fallback adapter and a hardware one with the same strings keep separate choices', () => {
  expect(strategyKey(info('google', 'swiftshader', '', '', true), 'matmul')).not.toBe(strategyKey(info('google', 'swiftshader'), 'matmul'));
});

test('a stale, foreign or damaged entry is measured again, never trusted', async () => {
  const adapter = info('google', 'swiftshader');
  const key = strategyKey(adapter, 'matmul')!;
  const entries = {
    'an older engine\'s plain string': 'tiled',
    'other kernels\' measurement': JSON.stringify({ choice: 'tiled', kernels: '00000000' }),
    'a choice this engine does not have': '{"choice":"winograd"}',
    'damage': '{"choice":',
  };
  for (const [what, entry] of Object.entries(entries)) {
    const store = storage();
    store.setItem(key, entry);
    const { choose, measured } = chooser(store);
    expect(await choose(adapter), what).toBe('blocked');
    expect(measured(), what).toBe(2);
    expect(JSON.parse(store.getItem(key)!).choice).toBe('blocked');
  }
});

test('an entry saved for these kernels is used as saved', async () => {
  const store = storage();
  const adapter = info('google', 'swiftshader');
  saveStrategy(adapter, 'matmul', 'tiled', store);
  const { choose, measured } = chooser(store);
  expect(await choose(adapter)).toBe('tiled'); // though blocked would measure faster
  expect(measured()).toBe(0);
});

test('with rounds, each name is timed once a round in alternating order and keeps its best: one slow pass does not decide', async () => {
  const passes: Record<string, number[]> = { tiled: [10, 10, 10], blocked: [50, 5, 6] }; // blocked's first pass was slow
  const order: string[] = [];
  const time = (name: string) => {
    order.push(name);
    return Promise.resolve(passes[name][order.filter((n) => n === name).length - 1]);
  };
  expect(await rememberedChoice(info('google', 'swiftshader'), 'matmul', ['tiled', 'blocked'], time, storage(), 3)).toBe('blocked');
  expect(order).toEqual(['tiled', 'blocked', 'blocked', 'tiled', 'tiled', 'blocked']);
  order.length = 0;
  expect(await rememberedChoice(info('google', 'swiftshader'), 'matmul', ['tiled', 'blocked'], time, storage())).toBe('tiled'); // one round: the slow pass decides
  expect(order).toEqual(['tiled', 'blocked']);
});
