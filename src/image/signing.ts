// Image signatures: Ed25519 (node:crypto) over a canonical JSON statement binding the image ID to
// its role, version, release checksum and SBOM. The key is the operator's (PITCHEY_IMAGE_SIGNING_KEY);
// outside production a development key is made once in the data dir. Files live beside the SBOM.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataPath, type Mode } from '../kit/light.js';
import { ImageError, imageRef, type ImageRole } from './families.js';

export interface Statement {
  image: string;
  role: string;
  version: string;
  releaseChecksum: string;
  sbomSha256: string;
}
export interface SignatureFile {
  statement: Statement;
  algorithm: 'ed25519';
  keyId: string;
  signature: string;
}

/** JSON with keys sorted at every level and no spaces: what is signed and verified. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** `ed25519:<16 hex>`: the start of the SHA-256 of the public key's SPKI encoding. */
export function keyIdOf(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return `ed25519:${createHash('sha256')
    .update(pub.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16)}`;
}

export function signStatement(statement: Statement, key: KeyObject): SignatureFile {
  return { statement, algorithm: 'ed25519', keyId: keyIdOf(key), signature: sign(null, Buffer.from(canonicalJson(statement)), key).toString('base64') };
}

/** The key among `trusted` that signed the file, or null. */
export function signedBy(file: SignatureFile, trusted: readonly KeyObject[]): KeyObject | null {
  const message = Buffer.from(canonicalJson(file.statement));
  const signature = Buffer.from(file.signature, 'base64');
  return (
    trusted.find((k) => {
      try {
        return verify(null, message, k, signature);
      } catch {
        return false;
      }
    }) ?? null
  );
}

/** Where an image's SBOM and signature live: `<data>/images/<version>/<role>.{cdx,sig}.json`. */
export function imageArtifacts(dataDir: string, version: string, role: ImageRole): { dir: string; sbom: string; signature: string } {
  imageRef(role, version);
  const dir = join(dataPath(dataDir, 'images'), version);
  return { dir, sbom: join(dir, `${role}.cdx.json`), signature: join(dir, `${role}.sig.json`) };
}

export function devKeyFiles(dataDir: string): { privateKey: string; publicKey: string } {
  const dir = dataPath(dataDir, 'keys');
  return { privateKey: join(dir, 'image-signing.pem'), publicKey: join(dir, 'image-signing.pub.pem') };
}

function readEd25519(path: string, kind: 'private' | 'public'): KeyObject {
  let key: KeyObject;
  try {
    const pem = readFileSync(path);
    key = kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
  } catch (err) {
    throw new ImageError(`cannot read the ${kind} key ${path}: ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new ImageError(`${path} is a ${key.asymmetricKeyType ?? 'non-asymmetric'} key; image signatures are Ed25519`);
  return key;
}

/** The development key pair, made once (private 0600 in a 0700 folder). */
function devKey(dataDir: string): KeyObject {
  const files = devKeyFiles(dataDir);
  try {
    return readEd25519(files.privateKey, 'private');
  } catch {
    mkdirSync(dataPath(dataDir, 'keys'), { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    writeFileSync(files.privateKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    writeFileSync(files.publicKey, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
    return privateKey;
  }
}

/** The key images are signed with: the configured one (never readable by others), else the development key outside production. */
export function signingKey(options: { signingKey: string | null; dataDir: string; mode: Mode }): { key: KeyObject; development: boolean } {
  if (options.signingKey !== null) {
    if ((statSync(options.signingKey, { throwIfNoEntry: false })?.mode ?? 0) & 0o077) {
      throw new ImageError(`${options.signingKey} is readable by other users: chmod 600 it (a signing key is a secret)`);
    }
    return { key: readEd25519(options.signingKey, 'private'), development: false };
  }
  if (options.mode === 'production') throw new ImageError("production images are signed with the operator's key: set PITCHEY_IMAGE_SIGNING_KEY (the development key is refused)");
  return { key: devKey(options.dataDir), development: true };
}

/** Public key files a signature must verify against: the configured ones, else (outside production) the development key's. */
export function trustedKeyFiles(options: { imageTrustedKeys: readonly string[]; dataDir: string; mode: Mode }): string[] {
  if (options.imageTrustedKeys.length > 0 || options.mode === 'production') return [...options.imageTrustedKeys];
  return [devKeyFiles(options.dataDir).publicKey];
}

export function readTrustedKeys(files: readonly string[]): KeyObject[] {
  return files.map((f) => readEd25519(f, 'public'));
}
