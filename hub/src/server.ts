import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { startAgentsOnOneHub } from './agent-ops/runner-lease.js';
import { parseSchedules } from './agent-ops/runner-process.js';
import { ConfigError, helpText, loadConfig } from './config.js';
import { startHub } from './hub.js';
import { PortInUseError } from './util/listen.js';

/** `npm start`: the hub with everything embedded unless settings say otherwise. */
async function main(): Promise<void> {
  if (process.argv[2] === 'export-mosquitto') {
    const { runExportMosquitto } = await import('./tools/export-mosquitto.js');
    process.exit(await runExportMosquitto(process.argv.slice(3)));
  }
  if (process.argv[2] === 'reset-admin-password') {
    const { runResetAdminPassword } = await import('./tools/reset-admin-password.js');
    process.exit(await runResetAdminPassword(process.argv.slice(3)));
  }
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(helpText());
    return;
  }
  const config = loadConfig();
  checkTlsFiles(config);
  parseSchedules(config.agentSchedules);
  const hub = await startHub(config);
  // The ops agents run as their own process and reach the hub over HTTP like any client; with
  // several hubs, beside one of them.
  const agents =
    config.agents === 'on'
      ? await startAgentsOnOneHub({ db: hub.db, config, httpUrl: hub.httpUrl, log: hub.ctx.log })
      : { stop: async () => {} };
  const lines = [
    '',
    `Deep Signal hub is up: open ${hub.httpUrl}`,
    `  API docs: ${hub.httpUrl}/docs   MQTT: ${hub.mqttUrl}   database: ${config.databaseUrl ? 'PostgreSQL' : `PGlite in ${config.dataDir}/db`}`,
  ];
  if (hub.admin?.generatedPassword) {
    lines.push(
      `  First admin created: ${hub.admin.email} / ${hub.admin.generatedPassword}  (shown once; set DS_ADMIN_PASSWORD to choose it)`,
    );
  } else if (hub.admin) {
    lines.push(`  Log in as ${hub.admin.email}${hub.admin.created ? ' with DS_ADMIN_PASSWORD' : ''}.`);
    if (!hub.admin.created)
      lines.push(
        '  Lost the admin password? Stop the hub and run `npm start -- reset-admin-password` (prints a new one).',
      );
  }
  console.log(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    agents
      .stop()
      .then(() => hub.stop())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/**
 * MQTT over TLS: unreadable or mismatched PEM files give a one-line error naming the setting
 * (exit 2) instead of a stack trace from deep inside the broker start.
 */
function checkTlsFiles(config: { mqttTlsCert?: string; mqttTlsKey?: string }): void {
  if (!config.mqttTlsCert || !config.mqttTlsKey) return;
  const read = (file: string, env: string) => {
    try {
      return readFileSync(file);
    } catch (e) {
      throw new ConfigError(`${env}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, env);
    }
  };
  const cert = read(config.mqttTlsCert, 'DS_MQTT_TLS_CERT');
  const key = read(config.mqttTlsKey, 'DS_MQTT_TLS_KEY');
  try {
    createSecureContext({ cert, key });
  } catch (e) {
    throw new ConfigError(
      `DS_MQTT_TLS_CERT/DS_MQTT_TLS_KEY: not a matching PEM certificate and key (${(e as Error).message})`,
    );
  }
}

main().catch((e: unknown) => {
  if (e instanceof PortInUseError) {
    console.error(`error: ${e.message}`);
    process.exit(1);
  }
  if (e instanceof ConfigError) {
    console.error(`error: ${e.message}`);
    process.exit(2);
  }
  console.error(`error: ${(e as Error).message ?? e}`);
  process.exit(1);
});
