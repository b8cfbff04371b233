/**
 * A hub in its own process, for fault tests that kill it with SIGKILL: settings from the
 * environment exactly as `npm start` reads them; prints one JSON line
 * `{"httpUrl","mqttUrl","hubPublicKey"}` on stdout once it is up.
 */
import { rawSettings } from '../../../hub/src/config.js';
import { startHub } from '../../../hub/src/hub.js';

const hub = await startHub({
  ...rawSettings(process.env, []),
  logLevel: (process.env.DS_LOG_LEVEL as 'error') ?? 'error',
});
process.stdout.write(
  `${JSON.stringify({ httpUrl: hub.httpUrl, mqttUrl: hub.mqttUrl, hubPublicKey: hub.hubPublicKey })}\n`,
);
const stop = () =>
  hub.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
