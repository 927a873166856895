// Signing keys and signatures without an engine: the development key is made once and refused in
// production, an operator key must be private, and a signature holds only for what was signed.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalJson, devKeyFiles, keyIdOf, readTrustedKeys, signStatement, signedBy, signingKey, trustedKeyFiles, type Statement } from '../../src/image/index.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'pitchey-sign-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const statement: Statement = { image: `sha256:${'a'.repeat(64)}`, role: 'ai', version: '1.0.0', releaseChecksum: `sha256:${'b'.repeat(64)}`, sbomSha256: 'c'.repeat(64) };

describe('canonical JSON', () => {
  it('sorts keys at every level, so key order cannot change what is signed', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[2,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ role: 'ai', image: 'x' })).toBe(canonicalJson({ image: 'x', role: 'ai' }));
  });
});

describe('the development key', () => {
  it('is made once, private 0600, and its public half is the default trusted key', () => {
    const dataDir = tempDir();
    const first = signingKey({ signingKey: null, dataDir, mode: 'development' });
    const again = signingKey({ signingKey: null, dataDir, mode: 'development' });
    expect(first.development).toBe(true);
    expect(keyIdOf(again.key)).toBe(keyIdOf(first.key));
    const files = devKeyFiles(dataDir);
    expect(statSync(files.privateKey).mode & 0o777).toBe(0o600);
    expect(trustedKeyFiles({ imageTrustedKeys: [], dataDir, mode: 'development' })).toEqual([files.publicKey]);
    const [pub] = readTrustedKeys([files.publicKey]);
    expect(keyIdOf(pub!)).toBe(keyIdOf(first.key));
  });

  it('is refused in production, where no key is trusted by default', () => {
    const dataDir = tempDir();
    expect(() => signingKey({ signingKey: null, dataDir, mode: 'production' })).toThrow(/PITCHEY_IMAGE_SIGNING_KEY/);
    expect(trustedKeyFiles({ imageTrustedKeys: [], dataDir, mode: 'production' })).toEqual([]);
  });
});

describe('an operator key', () => {
  it('must be Ed25519 and readable only by its owner', () => {
    const dir = tempDir();
    const ed = join(dir, 'ed.pem');
    writeFileSync(ed, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    expect(signingKey({ signingKey: ed, dataDir: dir, mode: 'production' }).development).toBe(false);
    const open = join(dir, 'open.pem');
    writeFileSync(open, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o644 });
    expect(() => signingKey({ signingKey: open, dataDir: dir, mode: 'production' })).toThrow(/chmod 600/);
    const ec = join(dir, 'ec.pem');
    writeFileSync(ec, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    expect(() => signingKey({ signingKey: ec, dataDir: dir, mode: 'production' })).toThrow(/Ed25519/);
    expect(() => signingKey({ signingKey: join(dir, 'missing.pem'), dataDir: dir, mode: 'production' })).toThrow(/cannot read/);
  });
});

describe('a signature', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const other = generateKeyPairSync('ed25519').publicKey;
  const signed = signStatement(statement, privateKey);

  it("verifies against the signer's public key, whichever order the trusted keys are in", () => {
    expect(signed.keyId).toBe(keyIdOf(publicKey));
    expect(signedBy(signed, [other, publicKey])).toBe(publicKey);
  });

  it('fails for another key, an altered statement or a damaged signature', () => {
    expect(signedBy(signed, [other])).toBeNull();
    expect(signedBy(signed, [])).toBeNull();
    expect(signedBy({ ...signed, statement: { ...statement, image: `sha256:${'f'.repeat(64)}` } }, [publicKey])).toBeNull();
    expect(signedBy({ ...signed, statement: { ...statement, version: '1.0.1' } }, [publicKey])).toBeNull();
    expect(signedBy({ ...signed, signature: Buffer.from('nonsense').toString('base64') }, [publicKey])).toBeNull();
  });
});
