/**
 * A module to fork as a child process, in the form this process runs in: compiled JavaScript next to the caller
 * (`npm start`, `npx runmedic`: dist/), or TypeScript through tsx's loader in development and tests. tsx is a
 * development dependency, so the compiled program never asks for it.
 */
import { fileURLToPath } from 'node:url';

export function childModule(callerUrl: string, name: string): { file: string; execArgv: string[] } {
  const compiled = !callerUrl.endsWith('.ts');
  const file = fileURLToPath(new URL(`./${name}.${compiled ? 'js' : 'ts'}`, callerUrl));
  return { file, execArgv: compiled ? [] : ['--import', import.meta.resolve('tsx')] };
}
