// What a build leaves beside each image: its SBOM and the signature over (image ID, role, version,
// release checksum, SBOM digest), written under `<data>/images/<version>/`.
import { createHash, type KeyObject } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import type { ImageFacts } from './dockerfile.js';
import { createSbom, type Lockfile } from './sbom.js';
import { imageArtifacts, signStatement, type SignatureFile } from './signing.js';

export interface Attestation {
  sbom: string;
  signature: string;
  sbomSha256: string;
  components: { npm: number; deb: number };
  signed: SignatureFile;
}

/** Written through a rename: a verifier never reads half a file. */
function writeWhole(path: string, content: string): void {
  writeFileSync(`${path}.tmp`, content);
  renameSync(`${path}.tmp`, path);
}

export function attestImage(options: { dataDir: string; image: string; facts: ImageFacts; lock: Lockfile; dpkgStatus: string; key: KeyObject }): Attestation {
  const { facts } = options;
  const files = imageArtifacts(options.dataDir, facts.version, facts.role);
  mkdirSync(files.dir, { recursive: true });
  const bom = createSbom({ lock: options.lock, dpkgStatus: options.dpkgStatus, facts, image: options.image });
  const text = `${JSON.stringify(bom, null, 2)}\n`;
  const sbomSha256 = createHash('sha256').update(text).digest('hex');
  writeWhole(files.sbom, text);
  const signed = signStatement({ image: options.image, role: facts.role, version: facts.version, releaseChecksum: facts.releaseChecksum, sbomSha256 }, options.key);
  writeWhole(files.signature, `${JSON.stringify(signed, null, 2)}\n`);
  const npm = bom.components.filter((c) => c.purl?.startsWith('pkg:npm/')).length;
  return { sbom: files.sbom, signature: files.signature, sbomSha256, components: { npm, deb: bom.components.length - npm }, signed };
}
