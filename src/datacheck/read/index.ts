/**
 * A data file → a DataTable, by content: `\x93NUMPY` is an .npy, a zip of .npy members an .npz, a zip of images in
 * class folders an image set, anything else a CSV. Every failure is an IngestError naming the file, the entry and
 * what was expected.
 */
import { IngestError } from '../../ingest/ingest-error.ts';
import { isZip, unzipEntries } from '../../ingest/archive.ts';
import type { DataTable, ReadLimits } from '../table.ts';
import { isNpy } from './npy.ts';
import { readNpy, readNpz } from './arrays.ts';
import { readCsvTable, type CsvReadOptions } from './csv-table.ts';
import { readImageFolders } from './image-folders.ts';

export interface DataReadOptions extends CsvReadOptions {
  /** Images of a zip are resized to this [height, width, channels] (a model's input) instead of the working size. */
  imageShape?: number[];
}

export function readDataFile(bytes: Uint8Array, file: string, limits: ReadLimits, o: DataReadOptions = {}): DataTable {
  if (bytes.length > limits.maxBytes) throw new IngestError({ file, reason: `${bytes.length} bytes, over the limit of ${limits.maxBytes} (INGEST_MAX_BYTES)` });
  if (bytes.length === 0) throw new IngestError({ file, reason: 'empty file: expected a CSV with a label column, an .npy/.npz, or a zip of image folders' });
  if (isNpy(bytes)) return readNpy(bytes, file, limits);
  if (isZip(bytes)) {
    const entries = unzipEntries(bytes, file, { maxTotalBytes: limits.maxBytes });
    if (entries.some((e) => e.path.endsWith('.npy'))) return readNpz(bytes, file, limits);
    return readImageFolders(entries, file, limits, o.imageShape);
  }
  return readCsvTable(bytes, file, limits, o);
}
