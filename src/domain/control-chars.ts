/**
 * Control characters in names (issue 17): a run named `evil\u001b[31m…\u001b]0;pwned\u0007` recoloured the terminal
 * of whoever ran `runmedic runs` and set its title. Names are refused at the API (`findControlChar`), cleaned when
 * taken from files (`stripControlChars`), and every CLI line is escaped on its way out (`escapeControlChars`).
 *
 * "Control" here: C0 (U+0000–U+001F), DEL, C1 (U+0080–U+009F) and the bidirectional controls that reorder what
 * follows (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069: a right-to-left override makes `gpj.exe` read `exe.jpg`).
 */

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const CONTROL_ALL = new RegExp(CONTROL.source, 'g');
/** As CONTROL, but leaving newline and tab (line structure of multi-line output). */
const CONTROL_IN_OUTPUT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMES: Record<number, string> = {
  0x00: 'NUL',
  0x07: 'BEL',
  0x08: 'BS',
  0x09: 'TAB',
  0x0a: 'LF',
  0x0d: 'CR',
  0x1b: 'ESC',
  0x7f: 'DEL',
  0x9b: 'CSI',
  0x200e: 'LEFT-TO-RIGHT MARK',
  0x200f: 'RIGHT-TO-LEFT MARK',
  0x202a: 'LEFT-TO-RIGHT EMBEDDING',
  0x202b: 'RIGHT-TO-LEFT EMBEDDING',
  0x202c: 'POP DIRECTIONAL FORMATTING',
  0x202d: 'LEFT-TO-RIGHT OVERRIDE',
  0x202e: 'RIGHT-TO-LEFT OVERRIDE',
  0x2066: 'LEFT-TO-RIGHT ISOLATE',
  0x2067: 'RIGHT-TO-LEFT ISOLATE',
  0x2068: 'FIRST STRONG ISOLATE',
  0x2069: 'POP DIRECTIONAL ISOLATE',
};

/** "U+001B (ESC)". */
export function describeChar(code: number): string {
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return NAMES[code] ? `${hex} (${NAMES[code]})` : hex;
}

/** The first control character of `s` and its position (1-based, in characters), or null. */
export function findControlChar(s: string): { char: string; position: number; description: string } | null {
  const m = CONTROL.exec(s);
  if (!m) return null;
  const position = [...s.slice(0, m.index)].length + 1;
  return { char: m[0], position, description: describeChar(m[0].charCodeAt(0)) };
}

/** `s` without control characters; tabs and line breaks become a space, runs of spaces they leave are one. */
export function stripControlChars(s: string): string {
  if (!CONTROL.test(s)) return s;
  return s
    .replace(/[\t\n\r\u000b\u000c]+/g, ' ')
    .replace(CONTROL_ALL, '')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/**
 * Text for a terminal: every control character except newline and tab written as a visible `\uXXXX`. Inside JSON
 * strings that is the same escape JSON uses, so `--json` output stays valid and means the same.
 */
export function escapeControlChars(s: string): string {
  return s.replace(CONTROL_IN_OUTPUT, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
