// Whether an image may run: its signature file names this image ID, role and version, its SBOM is
// the one signed, and the signature verifies against a trusted key. A refusal is a value with a
// reason (the driver records it), never a thrown error.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type Docker from 'dockerode';
import { dockerClient } from '../kit/light.js';
import { imageId } from './engine.js';
import { ImageError, imageRef, type ImageRole } from './families.js';
import { imageArtifacts, keyIdOf, readTrustedKeys, signedBy, type SignatureFile } from './signing.js';

export type Verification = { ok: true; image: string; keyId: string } | { ok: false; reason: string };

export interface VerifyOptions {
  /** Default: a client for DOCKER_HOST (or the default socket). */
  docker?: Docker;
  /** An image reference or ID; default `pitchey/<role>:<version>`. */
  ref?: string;
  version: string;
  role: ImageRole;
  /** Where the build wrote `images/<version>/<role>.sig.json` and the SBOM. */
  dataDir: string;
  /** Public key files (PEM); see trustedKeyFiles() for the configured set. */
  trustedKeys: readonly string[];
}

function isSignatureFile(v: unknown): v is SignatureFile {
  const f = v as Partial<SignatureFile> | null;
  const s = f?.statement;
  return (
    typeof f?.signature === 'string' &&
    typeof f.keyId === 'string' &&
    f.algorithm === 'ed25519' &&
    s !== undefined &&
    s !== null &&
    ['image', 'role', 'version', 'releaseChecksum', 'sbomSha256'].every((k) => typeof (s as unknown as Record<string, unknown>)[k] === 'string')
  );
}

async function readSignature(path: string): Promise<SignatureFile | string> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch {
    return `no signature file ${path}`;
  }
  try {
    const parsed: unknown = JSON.parse(raw);
    return isSignatureFile(parsed) ? parsed : `${path} is not a signature file`;
  } catch {
    return `${path} is not JSON`;
  }
}

export async function verifyImage(options: VerifyOptions): Promise<Verification> {
  const { role, version } = options;
  const refuse = (reason: string): Verification => ({ ok: false, reason: `pitchey/${role}:${version}: ${reason}` });
  let files: ReturnType<typeof imageArtifacts>;
  try {
    files = imageArtifacts(options.dataDir, version, role);
  } catch (err) {
    return refuse((err as Error).message);
  }
  const sig = await readSignature(files.signature);
  if (typeof sig === 'string') return refuse(sig);
  const { statement } = sig;
  if (statement.role !== role || statement.version !== version) return refuse(`the signature is for ${statement.role} ${statement.version}`);
  const docker = options.docker ?? (await dockerClient(null));
  const image = await imageId(docker, options.ref ?? imageRef(role, version));
  if (image === null) return refuse(`no image ${options.ref ?? imageRef(role, version)} in the engine`);
  if (image !== statement.image) return refuse(`the image is ${image} but the signature is for ${statement.image}`);
  const sbom = await readFile(files.sbom).catch(() => null);
  if (sbom === null) return refuse(`no SBOM ${files.sbom}`);
  if (createHash('sha256').update(sbom).digest('hex') !== statement.sbomSha256) return refuse(`the SBOM ${files.sbom} is not the one signed`);
  if (options.trustedKeys.length === 0) return refuse('no trusted keys are configured (PITCHEY_IMAGE_TRUSTED_KEYS)');
  let keys;
  try {
    keys = readTrustedKeys(options.trustedKeys);
  } catch (err) {
    return refuse(err instanceof ImageError ? err.message : String(err));
  }
  const key = signedBy(sig, keys);
  if (key === null) return refuse(`the signature (key ${sig.keyId}) does not verify against any of the ${keys.length} trusted key(s)`);
  return { ok: true, image, keyId: keyIdOf(key) };
}
