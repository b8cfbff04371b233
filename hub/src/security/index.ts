import type { Logger } from 'pino';
import { Brands } from '../brands/brand.js';
import { brandedMailer } from '../brands/mail.js';
import type { HubConfig } from '../config.js';
import type { Db } from '../db/index.js';
import { loadMasterKeyring } from '../secrets/keyring.js';
import { SecretStore } from '../secrets/store.js';
import { Allowlists } from './allowlists.js';
import { validAllowlist } from './ip.js';
import { LoginThrottle } from './lockout.js';
import { createMailer, type Mailer } from './mailer.js';

/** The security services the hub context carries. */
export interface SecurityServices {
  /** Client secrets (envelope encryption): `secrets.get(clientId, name)` for server-side use. */
  secrets: SecretStore;
  allowlists: Allowlists;
  /** Mails go out in the brand of the recipient's partner (brands/mail.ts). */
  mailer: Mailer;
  logins: LoginThrottle;
  /** Partner brands: which look a host, a client or a mail recipient gets. */
  brands: Brands;
}

/** Builds them from the settings; throws a message naming the setting on bad input. */
export function createSecurity(config: HubConfig, db: Db, log: Logger): SecurityServices {
  const admin = (config.adminIpAllowlist ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = validAllowlist(admin);
  if (bad) throw new Error(`DS_ADMIN_IP_ALLOWLIST: ${bad}`);
  let ring: ReturnType<typeof loadMasterKeyring>;
  try {
    ring = loadMasterKeyring({
      masterKey: config.masterKey,
      masterKeyFile: config.masterKeyFile,
      dataDir: config.dataDir,
    });
  } catch (e) {
    const name = config.masterKey ? 'DS_MASTER_KEY' : 'DS_MASTER_KEY_FILE';
    throw new Error(`${name}: ${(e as Error).message}`);
  }
  const brands = new Brands(db);
  const mailer = createMailer(config.mailTransport, log.child({ mod: 'mail' }), config.mailFrom);
  return {
    secrets: new SecretStore(db, ring),
    allowlists: new Allowlists(db, admin),
    mailer: brandedMailer(mailer, brands, config.publicUrl, config.mailFrom),
    logins: new LoginThrottle(db),
    brands,
  };
}
