// The guest's SSH key pair: made once per cache folder, private half mode 0600, never in the repository.
import { chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { InfraError } from '../core/errors.ts';
import type { SshKeyPair } from './image-set.ts';

export const PRIVATE_KEY_FILE = 'id_ed25519';

export function sshKeyDir(cacheDir: string): string {
  return join(cacheDir, 'ssh');
}

async function readKeyPair(dir: string): Promise<SshKeyPair | undefined> {
  const privateKeyPath = join(dir, PRIVATE_KEY_FILE);
  try {
    const [privateKey, publicKey] = await Promise.all([readFile(privateKeyPath, 'utf8'), readFile(`${privateKeyPath}.pub`, 'utf8')]);
    const parsed = ssh2.utils.parseKey(privateKey);
    if (parsed instanceof Error) return undefined;
    // A pair whose halves disagree would authorize a key nobody holds.
    const derived = `${parsed.type} ${parsed.getPublicSSH().toString('base64')}`;
    if (!publicKey.startsWith(derived)) return undefined;
    await chmod(privateKeyPath, 0o600);
    return { privateKeyPath, publicKey: publicKey.trim() };
  } catch {
    return undefined;
  }
}

/** Returns the cache's key pair, generating an ed25519 pair when none (or a broken one) is there. */
export async function ensureSshKeyPair(cacheDir: string, options: { regenerate?: boolean } = {}): Promise<SshKeyPair & { generated: boolean }> {
  const dir = sshKeyDir(cacheDir);
  if (!options.regenerate) {
    const existing = await readKeyPair(dir);
    if (existing) return { ...existing, generated: false };
  }
  await mkdir(cacheDir, { recursive: true });
  const tmp = await mkdtemp(join(cacheDir, '.ssh-'));
  try {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'pilot-guest' });
    await writeFile(join(tmp, PRIVATE_KEY_FILE), pair.private, { mode: 0o600 });
    await writeFile(join(tmp, `${PRIVATE_KEY_FILE}.pub`), `${pair.public}\n`, { mode: 0o644 });
    await chmod(tmp, 0o700);
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw new InfraError('E_SSH_KEY', `cannot create the guest SSH key in ${dir}`, { cause: error });
  }
  const made = await readKeyPair(dir);
  if (!made) throw new InfraError('E_SSH_KEY', `the SSH key written to ${dir} does not read back`);
  return { ...made, generated: true };
}
