/** The database could not be opened or is not one this version understands: the user can fix it (path, permissions, upgrade). */
export class StoreOpenError extends Error {
  readonly file: string;
  constructor(file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'StoreOpenError';
    this.file = file;
  }
}

export function isStoreOpenError(e: unknown): e is StoreOpenError {
  return e instanceof StoreOpenError;
}
