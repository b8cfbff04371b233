/**
 * One simulated instance in its own process, for kill -9 tests. Settings as JSON in DS_SIM_INSTANCE
 * (see SimInstanceOptions; `recordFile` is where produced samples and command runs are appended).
 * Prints `{"bootId": …}` once started.
 */
import { appendFileSync } from 'node:fs';
import { type SimInstanceOptions, startSimInstance } from './sim-instance.js';

const o = JSON.parse(process.env.DS_SIM_INSTANCE ?? '{}') as SimInstanceOptions;
const inst = await startSimInstance(o);
if (o.recordFile) appendFileSync(o.recordFile, `b ${inst.sidecar.bootId}\n`);
process.stdout.write(`${JSON.stringify({ bootId: inst.sidecar.bootId })}\n`);
process.on('SIGTERM', () => void inst.stop().then(() => process.exit(0)));
