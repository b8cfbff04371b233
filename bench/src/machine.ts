import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** What a figure was measured on; written beside every report. */
export interface MachineInfo {
  hostname: string;
  cpus: number;
  cpuModel: string;
  memGb: number;
  os: string;
  node: string;
  postgres?: string;
  mosquitto?: string;
  loadAvg: string;
}

function tryRun(cmd: string, args: string[]): string | undefined {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 5000 }).trim();
  } catch (e) {
    // mosquitto -h exits non-zero but still prints its version
    const out = (e as { stdout?: string }).stdout;
    return out ? String(out).trim() : undefined;
  }
}

function osName(): string {
  try {
    const m = /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'));
    if (m) return m[1];
  } catch {}
  return `${os.type()} ${os.release()}`;
}

/** Describes this machine; `pgVersion` comes from the database the run used. */
export function machineInfo(pgVersion?: string): MachineInfo {
  const cpus = os.cpus();
  const mosq = tryRun('mosquitto', ['-h'])?.split('\n')[0];
  return {
    hostname: os.hostname(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memGb: Math.round(os.totalmem() / 2 ** 30),
    os: osName(),
    node: process.versions.node,
    postgres: pgVersion?.split(' on ')[0],
    mosquitto: mosq?.replace(/ is an MQTT.*$/, '').trim(),
    loadAvg: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  };
}
