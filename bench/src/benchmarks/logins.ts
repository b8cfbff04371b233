import { hashSecret, verifySecret } from '../../../hub/src/auth/password.js';
import { type BenchResult, round } from '../results.js';

/**
 * `hub.logins_per_s`: MQTT logins the hub can verify per second at its production scrypt cost
 * (the hash check dominates a login). Tells how long a reconnect storm of the whole fleet takes,
 * e.g. after a broker restart.
 */
export async function loginBenchmark(log: (s: string) => void, count = 40): Promise<BenchResult[]> {
  const stored = await hashSecret('bench-secret');
  const t0 = performance.now();
  // in parallel, as concurrent connects are (libuv's thread pool runs scrypt)
  await Promise.all(Array.from({ length: count }, () => verifySecret('bench-secret', stored)));
  const perSec = count / ((performance.now() - t0) / 1000);
  log(`  logins: ${round(perSec, 1)}/s at scrypt N=2^14`);
  return [
    {
      name: 'hub.logins_per_s',
      value: round(perSec, 1),
      unit: 'logins/s',
      note: `scrypt N=2^14 per MQTT login: a reconnect storm of 5,000 instances needs about ${Math.round(5000 / perSec)} s of hub CPU (the fleet benchmark provisions bench instances at N=2^8 to measure telemetry, not logins).`,
    },
  ];
}
