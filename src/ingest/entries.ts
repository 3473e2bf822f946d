/** One file of a directory or archive, by its path relative to the root that was ingested ('/'-separated). */
export interface FileEntry {
  path: string;
  bytes: Uint8Array;
}
