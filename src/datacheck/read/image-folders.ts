/** A zip of image folders (class_name/*.png|jpg, optionally under train/ and val/) → a DataTable. */
import { IngestError } from '../../ingest/ingest-error.ts';
import type { FileEntry } from '../../ingest/entries.ts';
import type { DataTable, ReadLimits } from '../table.ts';

export function readImageFolders(entries: FileEntry[], file: string, _limits: ReadLimits): DataTable {
  const held = entries.slice(0, 5).map((e) => e.path).join(', ');
  throw new IngestError({ file, reason: `a zip without .npy members (${held || 'empty'}): expected an .npz (np.savez with x and y)` });
}
