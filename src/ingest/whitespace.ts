/** Whitespace between the tokens of JSON and of Python literals, as both parsers skip it. */

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
