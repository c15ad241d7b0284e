// Loads a labelled image dataset from a pair of IDX files (the standard MNIST layout), given as URLs,
// bytes or user-chosen Files, gzipped or not, in browsers and Node alike.

import { DataFormatError } from '../errors';
import type { Dataset } from '../model/config';
import { maybeGunzip, parseIdxImages, parseIdxLabels } from './idx';

/** A URL to fetch, bytes already read, or a Blob/File (e.g. from a file picker). */
export type DataSource = string | URL | Uint8Array | ArrayBuffer | Blob;

/** A name for error messages: the URL, the File's name, or `fallback` for bytes. */
export function nameOf(source: DataSource, fallback: string): string {
  if (typeof source === 'string') return source;
  if (source instanceof URL) return source.href;
  if (typeof File !== 'undefined' && source instanceof File) return source.name;
  return fallback;
}

/** The bytes of `source`, as stored (still gzipped if they were). */
export async function readBytes(source: DataSource, file: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  if (source instanceof Uint8Array) bytes = source;
  else if (source instanceof ArrayBuffer) bytes = new Uint8Array(source);
  else if (source instanceof Blob) bytes = new Uint8Array(await source.arrayBuffer());
  else {
    const response = await fetch(source).catch((cause: Error) => {
      throw new DataFormatError(file, 'download', `failed: ${cause.message}`);
    });
    if (!response.ok) throw new DataFormatError(file, 'download', `failed: HTTP ${response.status} ${response.statusText}`);
    bytes = new Uint8Array(await response.arrayBuffer());
  }
  return bytes;
}

/** Reads an images file and a labels file into a Dataset (bytes, with imageShape), checking both fully. */
export async function loadIdx(images: DataSource, labels: DataSource): Promise<Dataset> {
  const imagesFile = nameOf(images, 'images');
  const labelsFile = nameOf(labels, 'labels');
  const [imageBytes, labelBytes] = await Promise.all([
    readBytes(images, imagesFile).then((bytes) => maybeGunzip(imagesFile, bytes)),
    readBytes(labels, labelsFile).then((bytes) => maybeGunzip(labelsFile, bytes)),
  ]);
  const parsed = parseIdxImages(imagesFile, imageBytes);
  const labelValues = parseIdxLabels(labelsFile, labelBytes);
  if (labelValues.length !== parsed.count) {
    throw new DataFormatError(labelsFile, 'count', `is ${labelValues.length}; ${imagesFile} has ${parsed.count} images`);
  }
  return {
    images: parsed.pixels,
    labels: labelValues,
    count: parsed.count,
    features: parsed.rows * parsed.cols,
    imageShape: [parsed.rows, parsed.cols],
  };
}

/** Samples [start, end) of `d`, sharing its memory. */
export function sliceDataset(d: Dataset, start: number, end: number): Dataset {
  return {
    ...d,
    images: d.images.subarray(start * d.features, end * d.features),
    labels: d.labels.subarray(start, end),
    count: end - start,
  };
}
