import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { DataError } from '@rewardkit/core';

/**
 * Reads a data file as bytes, turning the usual file-system failures into a one-line
 * `DataError` instead of an ENOENT stack. `.gz` files are decompressed (the raw HH-RLHF files
 * are `*.jsonl.gz`).
 */
export async function readInputFile(file: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory, expected a data file'
          : code === 'EACCES'
            ? 'permission denied'
            : (err as Error).message;
    throw new DataError({ file }, `cannot read the data file: ${why}`);
  }
  if (!file.endsWith('.gz')) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (err) {
    throw new DataError({ file }, `not a valid gzip file: ${(err as Error).message}`);
  }
}

/** Parquet files start (and end) with these 4 bytes. */
export function looksLikeParquet(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x41 && bytes[2] === 0x52 && bytes[3] === 0x31;
}
