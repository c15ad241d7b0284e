// Each typed error a user can meet through the public API, with what it names.
import { expect, test } from './fixtures';

const CASES: [scenario: string, name: string, mentions: RegExp][] = [
  ['oneLayer', 'ArgumentError', /layers .*at least two/],
  ['fractionalSize', 'ArgumentError', /layers\[1\] is 12\.5; expected a positive integer/],
  ['zeroSize', 'ArgumentError', /layers\[1\] is 0/],
  ['unknownActivation', 'ArgumentError', /activation is "swish"; expected one of 'identity', 'relu'/],
  ['unknownLoss', 'ArgumentError', /loss is "hinge"; expected one of 'cross-entropy', 'mse'/],
  ['unknownOptimizer', 'ArgumentError', /optimizer is "rmsprop"; expected one of 'sgd', 'adam'/],
  ['nanLearningRate', 'ArgumentError', /learningRate is NaN; expected a finite number >= 0/],
  ['negativeLearningRate', 'ArgumentError', /learningRate is -0\.1/],
  ['imagesLengthMismatch', 'DatasetError', /train\.images: has 31 values; count × features is 8 × 4 = 32/],
  ['labelsLengthMismatch', 'DatasetError', /train\.labels: has 7 entries; count is 8/],
  ['zeroLengthDataset', 'DatasetError', /train\.count: is 0; expected a positive integer/],
  ['batchSizeZero', 'ArgumentError', /batchSize is 0; expected a positive integer/],
  ['batchLargerThanDataset', 'ArgumentError', /batchSize is 9; expected at most the 8 training samples/],
  ['nanImage', 'DatasetError', /train\.images\[5\]: is NaN; pixel values must be finite/],
  ['infiniteImage', 'DatasetError', /data\.images\[30\]: is -Infinity; pixel values must be finite/],
  ['notAnAbortSignal', 'ArgumentError', /signal is "stop"; expected an AbortSignal/],
  ['labelOutOfRange', 'DatasetError', /train\.labels\[4\]: is 2; expected a class in \[0, 2\)/],
  ['featuresMismatch', 'DatasetError', /data\.features: is 5; the model's first layer takes 4/],
  ['tooLargeForDevice', 'DeviceLimitError', /params needs \d+ bytes but this device's max\w+ is \d+/],
  ['batchTooLargeForDevice', 'ArgumentError', /batchSize is 10000000; expected at most \d+ on this device/],
  ['setWeightsWrongShape', 'ArgumentError', /weights\[1\] is 5; expected a Float32Array of 6 values \(2, 3\)/],
  ['swappedIdxFiles', 'DataFormatError', /^\/data\/mnist\/t10k-labels-idx1-ubyte\.gz: magic is 2049; IDX images have 2051 \(images and labels swapped\?\)/],
  ['hostileModelFile', 'ModelFormatError', /^model: tensor layers\.0\.weight has data_offsets \[0, 4096\] outside the 16 data bytes/],
  ['augmentWithoutImageShape', 'ArgumentError', /augment is an object; expected a model whose input is C × H × W, or a dataset with imageShape/],
  ['convKernelTooLarge', 'ArgumentError', /layers\[2\]\.kernelSize is 5; expected at most the padded input's 3 × 3 \(input 4 × 3 × 3, padding "valid"\)/],
  ['denseOnImages', 'ArgumentError', /layers\[1\]\.type is "dense"; expected a layer that takes a 2 × 6 × 6 input: a dense layer takes a flat one, so put \{ type: 'flatten' \} before it/],
  ['convAfterFlatten', 'ArgumentError', /layers\[1\]\.type is "conv2d"; expected a layer that takes a flat input/],
  ['dropoutRateOne', 'ArgumentError', /layers\[0\]\.rate is 1; expected a number in \[0, 1\)/],
  ['unknownLayerType', 'ArgumentError', /layers\[0\]\.type is "lstm"; expected one of 'conv2d', 'maxPool2d'/],
  ['lastLayerNotDense', 'ArgumentError', /layers\[2\]\.type is "activation"; expected 'dense'/],
  ['inputNotThreeIntegers', 'ArgumentError', /input is \[28, 28\]; expected \[channels, height, width\]: three positive integers/],
  ['convFeaturesMismatch', 'DatasetError', /train\.features: is 35; the model's first layer takes 36 \(1 × 6 × 6\)/],
  ['convTooLargeForDevice', 'DeviceLimitError', /acts\[0\] \(1 × 536870912 floats\) needs 2147483648 bytes but this device's max\w+ is \d+/],
  ['convFileMismatch', 'ModelFormatError', /^model: tensor layers\.0\.weight has shape \[2,1,3,3\]; the architecture needs \[3,1,3,3\]/],
  ['disposedModel', 'DisposedError', /was disposed/],
  ['noWebGPU', 'WebGPUUnavailableError', /navigator\.gpu is not defined\. WebGPU needs Chrome/],
];

for (const [scenario, name, mentions] of CASES) {
  test(`${scenario} throws ${name}`, async ({ harness }) => {
    const error = await harness.evaluate((s) => window.harness.errorCase(s), scenario);
    console.log(`${scenario}: ${error.name}: ${error.message}`);
    expect(error.name).toBe(name);
    expect(error.message).toMatch(mentions);
    if (error.unchanged !== undefined) expect(error.unchanged, 'the model\'s weights are as before the call').toBe(true);
  });
}

test.describe('a missing file', () => {
  test.use({ expectedConsoleErrors: [/Failed to load resource: the server responded with a status of 404/] });
  test('missingIdxFile throws DataFormatError', async ({ harness }) => {
    const error = await harness.evaluate(() => window.harness.errorCase('missingIdxFile'));
    expect(error.name).toBe('DataFormatError');
    expect(error.message).toMatch(/nope-images\.gz: download failed: HTTP 404/);
  });
});

test('every error scenario in the harness is tested', async ({ harness }) => {
  const names = await harness.evaluate(() => window.harness.scenarioNames);
  expect(names.sort()).toEqual([...CASES.map(([s]) => s), 'missingIdxFile'].sort());
});

test('a WGSL compile error names the file, line and column, and shows the source line', async ({ harness }) => {
  const message = await harness.evaluate(() => window.harness.shaderErrorCase());
  console.log(message);
  expect(message).toMatch(/^ShaderCompileError: WGSL compile failed:\nbroken\.wgsl:3:\d+: .+\n {4}let x: f32 = 1u;\n {8}\^$/);
});
