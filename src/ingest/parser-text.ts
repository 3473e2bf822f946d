/** What the JSON and the Python-literal parsers share about their text: the whitespace between tokens, and errors at an offset. */
import { IngestError } from './ingest-error.ts';

/** The offset of the first character at or after `pos` that is not a space, tab, line feed or carriage return. */
export function skipWhitespace(text: string, pos: number): number {
  let i = pos;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else break;
  }
  return i;
}

/** An IngestError at `offset` of `text` (whose first line is `firstLine` of the file): the line, and the column in the reason. */
export function errorAt(text: string, offset: number, fileName: string, firstLine: number, reason: string): IngestError {
  let line = firstLine;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return new IngestError({ file: fileName, line, reason: `column ${end - lineStart + 1}: ${reason}` });
}
