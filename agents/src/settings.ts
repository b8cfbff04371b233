import { type ParseArgsConfig, parseArgs } from 'node:util';
import { DEFAULT_MODEL, type LlmSettings } from './llm.js';

/** A bad flag or environment setting: the CLI prints the message on one line and exits 2. */
export class SettingsError extends Error {
  override name = 'SettingsError';
}

type Options = NonNullable<ParseArgsConfig['options']>;
type Env = Record<string, string | undefined>;

/** Flags every agent accepts. */
export const COMMON_OPTIONS = {
  hub: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  'no-llm': { type: 'boolean' },
  'anthropic-base-url': { type: 'string' },
  model: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

export const COMMON_HELP = `Common settings:
  --hub URL                 hub HTTP URL (DS_HUB_URL, default http://127.0.0.1:8080)
  --token TOKEN             API token (DS_AGENT_TOKEN); see agents/README.md to create one
  --json                    print the report as JSON instead of text
  --no-llm                  never call a model, even with ANTHROPIC_API_KEY set
  --anthropic-base-url URL  Messages API endpoint (DS_ANTHROPIC_BASE_URL)
  --model NAME              model (DS_ANTHROPIC_MODEL, default ${DEFAULT_MODEL})
  ANTHROPIC_API_KEY         lets a model investigate the rules' findings with read-only hub tools
                            and propose through the hub's policy; without it the rules work alone
  -h, --help                this help`;

/** Settings shared by every agent. */
export interface CommonSettings {
  hubUrl: string;
  token: string;
  json: boolean;
  llm: LlmSettings | null;
}

/** Parses flags strictly: an unknown flag or a missing value is a SettingsError. */
export function parseFlags<O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new SettingsError((e as Error).message.split('\n')[0]);
  }
}

/** The common settings from flags, then the environment, then defaults. */
export function commonSettings(v: Record<string, unknown>, env: Env): CommonSettings {
  const hubUrl = str(v.hub) ?? env.DS_HUB_URL ?? 'http://127.0.0.1:8080';
  try {
    const u = new URL(hubUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
  } catch {
    throw new SettingsError(`--hub / DS_HUB_URL must be an http(s) URL, got "${hubUrl}"`);
  }
  const token = str(v.token) ?? env.DS_AGENT_TOKEN;
  if (!token) throw new SettingsError('missing API token: pass --token or set DS_AGENT_TOKEN');
  const baseUrl = str(v['anthropic-base-url']) ?? env.DS_ANTHROPIC_BASE_URL;
  if (baseUrl && !/^https?:\/\//.test(baseUrl))
    throw new SettingsError(`--anthropic-base-url / DS_ANTHROPIC_BASE_URL must be an http(s) URL, got "${baseUrl}"`);
  const apiKey = env.ANTHROPIC_API_KEY;
  const llm =
    v['no-llm'] || !apiKey ? null : { apiKey, baseUrl, model: str(v.model) ?? env.DS_ANTHROPIC_MODEL ?? DEFAULT_MODEL };
  return { hubUrl, token, json: !!v.json, llm };
}

/** A number from a flag or the environment within bounds, else its default. */
export function numberSetting(
  v: Record<string, unknown>,
  env: Env,
  flag: string,
  envName: string,
  def: number,
  min: number,
  max: number,
): number {
  const raw = str(v[flag]) ?? env[envName];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new SettingsError(`--${flag} / ${envName} must be a number from ${min} to ${max}, got "${raw}"`);
  return n;
}

const str = (x: unknown) => (typeof x === 'string' ? x : undefined);
