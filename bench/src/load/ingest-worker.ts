/**
 * The ingest benchmark's load generator as its own process (see ingest.ts), so that its MQTT
 * clients, sample synthesis and JSON encoding do not run on the event loop of the hub it loads,
 * as real sidecars do not. Each request (ingest-generator.ts) is answered with one message named
 * `connected`, `going`, `marked` or `stopped`.
 */
import { answerTo, type GeneratorRequest, InlineGenerator } from './ingest-generator.js';

const g = new InlineGenerator();

process.on('message', async (m: GeneratorRequest) => {
  if ('exit' in m) {
    await g.close();
    process.exit(0);
  }
  const value = await g.handle(m);
  process.send?.({ [answerTo(m)]: value });
});
process.send?.({ ready: true });
