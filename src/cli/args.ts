// Command-line options of `npm run train`, with presets. Every bad option is a CliError that names it.

export class CliError extends Error {}

export interface TrainConfig {
  layers: number[];
  activation: string;
  optimizer: 'sgd' | 'adam';
  lr: number;
  schedule: 'constant' | 'cosine';
  batch: number;
  epochs: number;
  l2: number;
  momentum: number;
  seed: number;
  /** Shift in whole pixels and rotation in degrees; undefined for none. */
  augment?: { shift: number; rotate: number };
  /** Fraction of the training file held out for validation. */
  validationSplit: number;
  /** Pixels > 0 become 255 (the original tutorial's input). */
  binarize: boolean;
  /** Use only the first `samples` of the training file, split train/validation/test 70/15/15 (seed preset). */
  samples?: number;
  /** A folder with the four standard IDX files; default the bundled digits. */
  data?: string;
  out?: string;
  /** Where the engine runs: headless Chromium, or this Node process through the `webgpu` package. */
  runtime: 'browser' | 'node';
}

/** The default: the architecture and schedule that reach >= 97% on the bundled test digits. */
export const DEFAULT: TrainConfig = {
  layers: [784, 512, 10], activation: 'relu', optimizer: 'adam', lr: 0.001, schedule: 'cosine', batch: 64, epochs: 30,
  l2: 0, momentum: 0, seed: 1, augment: { shift: 2, rotate: 10 }, validationSplit: 0.05, binarize: false, runtime: 'browser',
};

/**
 * The original tutorial's setup: [784, 32, 10], ReLU, plain SGD from lr 0.05 with its L2 term, 5 epochs over
 * 5,000 binarised samples split 70/15/15. Batches of 4 with a cosine decay, rather than one sample at a
 * constant rate: that measured 76% on seed 1; this measured 90.9-92.4% over seeds 1-5.
 */
export const SEED_PRESET: TrainConfig = {
  layers: [784, 32, 10], activation: 'relu', optimizer: 'sgd', lr: 0.05, schedule: 'cosine', batch: 4, epochs: 5,
  l2: 0.001, momentum: 0, seed: 1, augment: undefined, validationSplit: 0, binarize: true, samples: 5000, runtime: 'browser',
};

export const USAGE = `usage: npm run train -- [options]
  --preset default|seed   seed: the original tutorial's setup (784-32-10, SGD lr 0.05, L2, 5,000 binarised digits)
  --layers 784,512,10     layer widths
  --activation relu       relu, leaky_relu, elu, sigmoid, tanh, identity
  --optimizer adam        sgd or adam
  --lr 0.001              learning rate
  --schedule cosine       constant or cosine
  --batch 64              batch size
  --epochs 30
  --l2 0                  L2 penalty on weights
  --momentum 0            SGD momentum
  --seed 1                initialisation, shuffling and augmentation
  --augment 2,10          random shift (pixels),rotation (degrees); 'off' for none
  --validation 0.05       fraction of the training data held out
  --data DIR              folder with train-images-idx3-ubyte(.gz), train-labels-idx1-ubyte(.gz), t10k-...
  --out model.safetensors write the trained model (also on Ctrl-C)
  --runtime browser       browser (headless Chromium) or node (this process, WebGPU from the webgpu package)`;

function number(option: string, value: string, ok: (x: number) => boolean, accepted: string): number {
  const x = Number(value);
  if (value === '' || !Number.isFinite(x) || !ok(x)) throw new CliError(`--${option} ${value}: expected ${accepted}`);
  return x;
}

/** Parses `--name value` pairs over the chosen preset. Returns undefined for --help. */
export function parseArgs(argv: string[]): TrainConfig | undefined {
  if (argv.includes('--help') || argv.includes('-h')) return undefined;
  const pairs = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    if (!flag.startsWith('--')) throw new CliError(`unexpected argument ${flag}\n${USAGE}`);
    if (i + 1 >= argv.length) throw new CliError(`${flag} needs a value\n${USAGE}`);
    pairs.set(flag.slice(2), argv[i + 1]);
  }
  const preset = pairs.get('preset') ?? 'default';
  if (preset !== 'default' && preset !== 'seed') throw new CliError(`--preset ${preset}: expected default or seed`);
  const config: TrainConfig = structuredClone(preset === 'seed' ? SEED_PRESET : DEFAULT);
  const positive = (x: number) => Number.isInteger(x) && x > 0;
  for (const [option, value] of pairs) {
    switch (option) {
      case 'preset': break;
      case 'layers':
        config.layers = value.split(',').map((v) => number(option, v, positive, 'comma-separated positive integers, e.g. 784,512,10'));
        if (config.layers.length < 2) throw new CliError(`--layers ${value}: expected at least two widths, e.g. 784,512,10`);
        break;
      case 'activation':
        if (!['relu', 'leaky_relu', 'elu', 'sigmoid', 'tanh', 'identity'].includes(value)) {
          throw new CliError(`--activation ${value}: expected relu, leaky_relu, elu, sigmoid, tanh or identity`);
        }
        config.activation = value;
        break;
      case 'optimizer':
        if (value !== 'sgd' && value !== 'adam') throw new CliError(`--optimizer ${value}: expected sgd or adam`);
        config.optimizer = value;
        break;
      case 'schedule':
        if (value !== 'constant' && value !== 'cosine') throw new CliError(`--schedule ${value}: expected constant or cosine`);
        config.schedule = value;
        break;
      case 'lr': config.lr = number(option, value, (x) => x > 0, 'a positive number'); break;
      case 'batch': config.batch = number(option, value, positive, 'a positive integer'); break;
      case 'epochs': config.epochs = number(option, value, positive, 'a positive integer'); break;
      case 'l2': config.l2 = number(option, value, (x) => x >= 0, 'a number >= 0'); break;
      case 'momentum': config.momentum = number(option, value, (x) => x >= 0 && x < 1, 'a number in [0, 1)'); break;
      case 'seed': config.seed = number(option, value, (x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32, 'an integer in [0, 2^32)'); break;
      case 'validation': config.validationSplit = number(option, value, (x) => x >= 0 && x < 1, 'a fraction in [0, 1)'); break;
      case 'augment': {
        if (value === 'off') {
          config.augment = undefined;
          break;
        }
        const [shift, rotate = '0'] = value.split(',');
        config.augment = {
          shift: number(option, shift, (x) => Number.isInteger(x) && x >= 0 && x <= 8, 'SHIFT[,DEGREES] with a shift of 0-8 pixels, or off'),
          rotate: number(option, rotate, (x) => x >= 0 && x <= 45, 'SHIFT[,DEGREES] with 0-45 degrees, or off'),
        };
        break;
      }
      case 'data': config.data = value; break;
      case 'out': config.out = value; break;
      case 'runtime':
        if (value !== 'browser' && value !== 'node') throw new CliError(`--runtime ${value}: expected browser or node`);
        config.runtime = value;
        break;
      default: throw new CliError(`unknown option --${option}\n${USAGE}`);
    }
  }
  return config;
}
