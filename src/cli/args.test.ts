import { expect, test } from 'vitest';
import { CliError, DEFAULT, parseArgs, SEED_PRESET } from './args';
import { duration, epochLine, perClassTable, progressBar } from './report';

test('defaults, presets and overrides', () => {
  expect(parseArgs([])).toEqual(DEFAULT);
  expect(parseArgs(['--preset', 'seed'])).toEqual(SEED_PRESET);
  const c = parseArgs(['--layers', '784,256,10', '--optimizer', 'sgd', '--lr', '0.1', '--augment', '3,15', '--out', 'm.safetensors', '--data', '/tmp/d']);
  expect(c).toMatchObject({ layers: [784, 256, 10], optimizer: 'sgd', lr: 0.1, augment: { shift: 3, rotate: 15 }, out: 'm.safetensors', data: '/tmp/d' });
  expect(parseArgs(['--augment', 'off'])?.augment).toBeUndefined();
  expect(parseArgs(['--help'])).toBeUndefined();
});

test.each([
  [['--layers', '784,x,10'], /--layers x: expected comma-separated positive integers/],
  [['--layers', '784'], /at least two widths/],
  [['--lr', '-1'], /--lr -1: expected a positive number/],
  [['--epochs', '2.5'], /--epochs 2\.5/],
  [['--optimizer', 'rmsprop'], /--optimizer rmsprop: expected sgd or adam/],
  [['--augment', '9'], /--augment 9/],
  [['--preset', 'fast'], /--preset fast/],
  [['--bogus', '1'], /unknown option --bogus/],
  [['--epochs'], /--epochs needs a value/],
  [['epochs', '3'], /unexpected argument epochs/],
])('%j is a CliError', (argv, message) => {
  expect(() => parseArgs(argv)).toThrow(CliError);
  expect(() => parseArgs(argv)).toThrow(message);
});

test('report formatting', () => {
  expect(duration(59.6)).toBe('1:00');
  expect(duration(3725)).toBe('1:02:05');
  expect(progressBar(2, 5, 15, 30, 0.5, 10)).toBe('epoch 2/5 [#####.....] 15/30 loss 0.5000');
  expect(epochLine({ epoch: 3, epochs: 30, loss: 0.1, accuracy: 0.9712, validation: 0.98, samplesPerSecond: 1234.4, elapsed: 20, remaining: 200 }))
    .toBe('epoch  3/30  loss 0.1000  train 97.12%  val 98.00%  1,234 samples/s  elapsed 0:20  remaining 3:20');
  expect(perClassTable([9, 0], [10, 0]).split('\n')).toEqual(['class  correct/total  accuracy', '    0           9/10    90.00%', '    1            0/0         -']);
});
