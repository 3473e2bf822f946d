/** An error the client caused (or a limit it hit), answered as JSON `{error, detail}` with this status. */
export class HttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 404 | 405 | 409 | 413 | 415 | 429,
    readonly error: string,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${status} ${error}: ${detail}`);
    this.name = 'HttpError';
  }
}
