import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateHubKeyPair, type HubKeyPair, keyIdOf, publicKeyFromPrivatePem } from '@deepsignal/protocol';

/**
 * The hub's Ed25519 signing key: created on first start as `<dataDir>/hub-key.pem` (PKCS#8, mode
 * 0600) and reused afterwards. [SPEC 6.3]
 */
export function loadOrCreateHubKey(dataDir: string): HubKeyPair {
  return loadOrCreate(dataDir, 'hub-key.pem');
}

/**
 * The hub's next signing key, `<dataDir>/hub-key.next.pem`, made the first time a `hubkey.rotate`
 * is executed and reused by every later one, so the whole fleet learns the same key. [SPEC 6.7]
 */
export function loadOrCreateNextHubKey(dataDir: string): HubKeyPair {
  return loadOrCreate(dataDir, 'hub-key.next.pem');
}

function loadOrCreate(dataDir: string, name: string): HubKeyPair {
  const dir = resolve(dataDir);
  const file = join(dir, name);
  if (existsSync(file)) {
    const privateKeyPem = readFileSync(file, 'utf8');
    const publicKey = publicKeyFromPrivatePem(privateKeyPem);
    return { publicKey, privateKeyPem, keyId: keyIdOf(publicKey) };
  }
  mkdirSync(dir, { recursive: true });
  const pair = generateHubKeyPair();
  writeFileSync(file, pair.privateKeyPem, { mode: 0o600, flag: 'wx' });
  return pair;
}
