// Reads and checks the settings form: every bad field is marked and explained, and nothing starts.

export interface Settings {
  hidden: number[];
  activation: 'relu' | 'leaky_relu' | 'elu' | 'tanh' | 'sigmoid';
  optimizer: 'adam' | 'sgd';
  lr: number;
  batch: number;
  epochs: number;
  l2: number;
  seed: number;
  augment: boolean;
}

type Check = (value: string) => string | undefined; // an error message, or undefined when fine

const integer = (min: number, max: number): Check => (v) =>
  /^\d+$/.test(v.trim()) && Number(v) >= min && Number(v) <= max ? undefined : `a whole number from ${min} to ${max}`;
const decimal = (min: number, max: number, exclusiveMin = false): Check => (v) => {
  const x = Number(v);
  return v.trim() !== '' && Number.isFinite(x) && (exclusiveMin ? x > min : x >= min) && x <= max ? undefined : `a number ${exclusiveMin ? 'above' : 'from'} ${min}${exclusiveMin ? ' and at most' : ' to'} ${max}`;
};
const CHECKS: Record<string, Check> = {
  hidden: (v) => (/^\s*\d+(\s*,\s*\d+)*\s*$/.test(v) && v.split(',').every((w) => Number(w) >= 1 && Number(w) <= 4096)
    ? undefined : 'widths from 1 to 4096, separated by commas, e.g. 128 or 256,64'),
  lr: decimal(0, 10, true),
  batch: integer(1, 4096),
  epochs: integer(1, 500),
  l2: decimal(0, 1),
  seed: integer(0, 2 ** 32 - 1),
};

export function readSettings(form: HTMLFormElement): Settings | undefined {
  const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement;
  let ok = true;
  for (const [name, check] of Object.entries(CHECKS)) {
    const problem = check(field(name).value);
    field(name).setAttribute('aria-invalid', String(problem !== undefined));
    form.querySelector(`#${name}-error`)!.textContent = problem ? `Expected ${problem}.` : '';
    ok &&= problem === undefined;
  }
  if (!ok) return undefined;
  return {
    hidden: field('hidden').value.split(',').map(Number),
    activation: field('activation').value as Settings['activation'],
    optimizer: field('optimizer').value as Settings['optimizer'],
    lr: Number(field('lr').value),
    batch: Number(field('batch').value),
    epochs: Number(field('epochs').value),
    l2: Number(field('l2').value),
    seed: Number(field('seed').value),
    augment: field('augment').checked,
  };
}

export function setFormEnabled(form: HTMLFormElement, enabled: boolean): void {
  for (const element of Array.from(form.elements)) (element as HTMLInputElement).disabled = !enabled;
}
