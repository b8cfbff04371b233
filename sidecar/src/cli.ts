#!/usr/bin/env node
/**
 * `npm run sidecar -- <flags>`: parses settings (flags > env > --config file > defaults), hands
 * over to a self-updated bundle in the state dir when there is one (launch.ts), else starts the
 * sidecar and stops it cleanly on SIGINT/SIGTERM. Bad settings: one line, exit 2.
 */
import { parseArgs } from './args.js';
import { ConfigError, loadConfig, type SidecarConfig, settingsHelp } from './config.js';
import { handOver } from './launch.js';

async function main(): Promise<void> {
  let config: SidecarConfig;
  try {
    const { help, flags } = parseArgs(process.argv.slice(2));
    if (help) {
      process.stdout.write(`${settingsHelp()}\n`);
      return;
    }
    config = loadConfig(flags, process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`deepsignal-sidecar: ${e.message.replace(/\s+/g, ' ')}\n`);
      process.exit(2);
    }
    throw e;
  }
  if (await handOver(config)) return;
  const { startSidecar } = await import('./index.js');
  const sidecar = await startSidecar(config);
  let stopping = false;
  const stop = (sig: string) => {
    if (stopping) return;
    stopping = true;
    sidecar.log('info', `received ${sig}, stopping`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    sidecar.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e) => {
  process.stderr.write(`deepsignal-sidecar: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
