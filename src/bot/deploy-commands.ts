/** `npm run deploy-commands`: registers the slash commands (see register-commands.ts). One line out, one line on error. */
import { existsSync } from 'node:fs';
import { isConfigError, loadConfig } from '../config.ts';
import { DeployError, registerCommands } from './register-commands.ts';

if (existsSync('.env') && typeof process.loadEnvFile === 'function') process.loadEnvFile('.env');
try {
  const config = loadConfig(process.env);
  const r = await registerCommands(config);
  const where = r.scope === 'guild' ? `in server ${config.discordGuildId}` : 'globally (may take up to an hour to appear)';
  process.stdout.write(`registered ${r.names.length} commands ${where}: ${r.names.map((n) => '/' + n).join(' ')}\n`);
} catch (e) {
  if (e instanceof DeployError || isConfigError(e)) {
    process.stderr.write(`deploy-commands: ${isConfigError(e) ? e.problems.join('; ') : e.message}\n`);
    process.exit(1);
  }
  throw e;
}
