import { ConfigError, settingByFlag } from './config.js';

/** Parses `--flag value` / `--flag=value` into config keys. Throws ConfigError. */
export function parseArgs(argv: string[]): { help: boolean; flags: Record<string, unknown> } {
  const flags: Record<string, unknown> = {};
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      help = true;
      continue;
    }
    if (!a.startsWith('--'))
      throw new ConfigError(JSON.stringify(a.slice(0, 40)), 'unexpected argument (settings are --flag value)');
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    let value: string | undefined = eq > 0 ? a.slice(eq + 1) : undefined;
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new ConfigError(`--${name}`, 'needs a value');
      i++;
    }
    if (name === 'config') {
      flags.config = value;
      continue;
    }
    const s = settingByFlag(name);
    if (!s) throw new ConfigError(`--${name.slice(0, 40)}`, 'unknown flag (see --help)');
    flags[s.key] = value;
  }
  return { help, flags };
}
