// Reads and checks the settings form: every bad field is marked and explained, and nothing starts. The model
// picker shows the fields of the model it picks (hidden widths and activation for an MLP, a layer list for
// Custom); only those are checked.

export type ModelChoice = 'mlp' | 'convnet' | 'custom';

export interface Settings {
  model: ModelChoice;
  hidden: number[];
  activation: 'relu' | 'leaky_relu' | 'elu' | 'tanh' | 'sigmoid';
  /** Custom: the layer list, in the short syntax of `npm run train -- --layers`. */
  layers: string;
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
  layers: (v) => (v.trim() === '' ? 'a list of layers, e.g. conv5x5x8+relu,maxpool2,flatten,dense10' : undefined), // the rest: parseLayers
  lr: decimal(0, 10, true),
  batch: integer(1, 4096),
  epochs: integer(1, 500),
  l2: decimal(0, 1),
  seed: integer(0, 2 ** 32 - 1),
};
/** The fields each model shows; the others are hidden and not checked. */
const MODEL_FIELDS: Record<ModelChoice, string[]> = { mlp: ['hidden', 'activation'], convnet: [], custom: ['layers'] };
const PICKED = new Set(Object.values(MODEL_FIELDS).flat());

const field = (form: HTMLFormElement, name: string) => form.elements.namedItem(name) as HTMLInputElement;

/** Marks `name` as wrong with `problem` (a sentence), or clears it. */
export function setFieldError(form: HTMLFormElement, name: string, problem: string | undefined): void {
  field(form, name).setAttribute('aria-invalid', String(problem !== undefined));
  form.querySelector(`#${name}-error`)!.textContent = problem ?? '';
}

export function readSettings(form: HTMLFormElement): Settings | undefined {
  const model = field(form, 'model').value as ModelChoice;
  let ok = true;
  for (const [name, check] of Object.entries(CHECKS)) {
    const problem = PICKED.has(name) && !MODEL_FIELDS[model].includes(name) ? undefined : check(field(form, name).value);
    setFieldError(form, name, problem && `Expected ${problem}.`);
    ok &&= problem === undefined;
  }
  if (!ok) return undefined;
  return {
    model,
    hidden: field(form, 'hidden').value.split(',').map(Number),
    activation: field(form, 'activation').value as Settings['activation'],
    layers: field(form, 'layers').value.trim(),
    optimizer: field(form, 'optimizer').value as Settings['optimizer'],
    lr: Number(field(form, 'lr').value),
    batch: Number(field(form, 'batch').value),
    epochs: Number(field(form, 'epochs').value),
    l2: Number(field(form, 'l2').value),
    seed: Number(field(form, 'seed').value),
    augment: field(form, 'augment').checked,
  };
}

/** Puts saved settings back into the form (a run resumed after a reload). */
export function writeSettings(form: HTMLFormElement, s: Settings): void {
  for (const [name, value] of Object.entries(s)) {
    if (name === 'augment') field(form, name).checked = value as boolean;
    else field(form, name).value = Array.isArray(value) ? value.join(',') : String(value);
  }
  showModelFields(form);
}

/** Shows the fields of the picked model and hides the others. */
export function showModelFields(form: HTMLFormElement): void {
  const model = field(form, 'model').value as ModelChoice;
  for (const name of PICKED) field(form, name).closest('label')!.hidden = !MODEL_FIELDS[model].includes(name);
  form.querySelector<HTMLElement>('#convnet-layers')!.hidden = model !== 'convnet';
}

export function setFormEnabled(form: HTMLFormElement, enabled: boolean): void {
  for (const element of Array.from(form.elements)) (element as HTMLInputElement).disabled = !enabled;
}
