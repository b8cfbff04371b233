/**
 * `npm run demo -- --instances N`: the hub with N simulated instances (real sidecar code with a
 * simulated OpenClaw and synthetic machine metrics, each its own MQTT connection and
 * credentials), so a newcomer sees a live fleet. Hub settings come from the environment as for
 * `npm start` (DS_HTTP_PORT, DATABASE_URL, …); the data lives in a temp dir unless DS_DATA_DIR is set.
 * Other flags: `--chat-every <sec>` (mean seconds between conversations per instance, default 60),
 * `--restarts` (simulated gateways restart now and then). Ctrl-C stops everything.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rawSettings } from '../../hub/src/config.js';
import { startHub } from '../../hub/src/hub.js';
import { provisionInstances } from './hub/provision.js';
import { Fleet } from './sim/fleet.js';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const HELP = `Usage: npm run demo -- [--instances N] [--chat-every <sec>] [--restarts]

Starts the hub (as npm start does, settings from the environment: DS_HTTP_PORT, DS_MQTT_PORT,
DATABASE_URL, DS_DATA_DIR…) with N simulated instances: the real sidecar code with a simulated
OpenClaw and synthetic machine metrics, each with its own MQTT connection and credentials.

  --instances N       how many (default 10, at most 20000)
  --chat-every <sec>  mean seconds between conversations per instance (default 60)
  --restarts          simulated gateways restart now and then
`;

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(HELP);
    return;
  }
  const n = Number(flag('--instances') ?? 10);
  if (!Number.isInteger(n) || n < 1 || n > 20_000) {
    process.stderr.write('demo: --instances must be an integer from 1 to 20000\n');
    process.exit(2);
  }
  const settings = rawSettings(process.env, []);
  const tempDir = settings.dataDir ? null : mkdtempSync(path.join(tmpdir(), 'ds-demo-'));
  const dataDir = settings.dataDir ?? tempDir!;
  const email = settings.adminEmail ?? 'admin@demo.local';
  const password = settings.adminPassword ?? 'demo-password';
  process.stderr.write(`demo: provisioning ${n} simulated instances…\n`);
  const creds = await provisionInstances(
    { databaseUrl: settings.databaseUrl, dbSchema: settings.dbSchema ?? 'public', dataDir },
    n,
    'demo',
  );
  const hub = await startHub({
    ...settings,
    dataDir,
    adminEmail: email,
    adminPassword: password,
    logLevel: (settings.logLevel as 'warn') ?? 'warn',
  });
  const fleet = new Fleet({
    hub: hub.mqttUrl,
    hubKey: hub.hubPublicKey,
    instances: creds,
    openclaw: {
      meanChatIntervalSec: Number(flag('--chat-every') ?? 60),
      restartProbPerSec: process.argv.includes('--restarts') ? 1 / 1800 : 0,
    },
  });
  await fleet.start((k) => process.stderr.write(`demo: ${k}/${n} instances started\n`));
  process.stdout.write(
    `\nDeep Signal demo: ${n} simulated instances.\nOpen ${hub.httpUrl} and log in as ${email} / ${password}\n` +
      `A simulated instance has no VPS: its console is a shell on this machine${process.getuid?.() === 0 ? ' (as nobody)' : ''}, in its own folder under ${fleet.stateRoot}.\n` +
      '(Ctrl-C to stop)\n',
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await fleet.stop();
    await hub.stop();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((e) => {
  process.stderr.write(`demo: ${(e as Error).message}\n`);
  process.exit(1);
});
