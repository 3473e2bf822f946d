/**
 * The package's root directory (the one holding package.json), found from a module's URL: the same answer from
 * src/… run through tsx and from the build in dist/src/…, which has no package.json of its own.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(moduleUrl: string): string {
  let dir = path.dirname(fileURLToPath(moduleUrl));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return path.dirname(fileURLToPath(moduleUrl));
    dir = up;
  }
}
