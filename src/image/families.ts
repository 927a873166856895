// What each image is made of: one Debian base per tool family, the role → family map and the size
// budget per role. An image per family (not one image for all roles) keeps ffmpeg, tesseract and
// Python out of the gateway and AI images (sizes measured in the README's "Containers" section).
import { ReleaseError } from '../deploy/releases.js';
import { PLATFORM_ROLES, type PlatformRole } from '../kit/light.js';

export type ImageRole = PlatformRole;
export const IMAGE_ROLES: readonly ImageRole[] = PLATFORM_ROLES;

export type Family = 'node' | 'media' | 'document' | 'code';

/** The uid and gid services run as inside their containers (the code executor runs as root). */
export const SERVICE_UID = 10001;

/** Every base: Node, TLS roots, and util-linux's setpriv and prlimit (the process runner spawns tools through setpriv). */
const COMMON = ['nodejs', 'ca-certificates', 'util-linux'];

/** Debian packages per family, beside COMMON; each role's tools are src/kit/tools.ts's. */
export const FAMILY_PACKAGES: Record<Family, readonly string[]> = {
  node: [],
  media: ['ffmpeg'],
  document: ['tesseract-ocr', 'tesseract-ocr-eng', 'poppler-utils', 'fonts-dejavu-core'],
  // mount: umount for ops/code/unmask-proc, which lifts Docker's /proc masks before the sandbox starts.
  code: ['bubblewrap', 'python3', 'mount'],
};

export const ROLE_FAMILY: Record<ImageRole, Family> = {
  gateway: 'node',
  ai: 'node',
  video: 'media',
  media: 'media',
  document: 'document',
  code: 'code',
};

/**
 * Image size budget per role, in MB (10^6 bytes, as `docker images` counts), base and release
 * together. The build fails past it. Each is the measured size (gateway/ai 336, video/media 782,
 * document 420, code 372) plus ~15 % headroom.
 */
export const SIZE_BUDGET_MB: Record<ImageRole, number> = {
  gateway: 390,
  ai: 390,
  video: 900,
  media: 900,
  document: 480,
  code: 430,
};

export const DEBIAN = { suite: 'trixie', mirror: 'http://deb.debian.org/debian', arch: 'amd64' } as const;

export function packagesOf(family: Family): string[] {
  return [...COMMON, ...FAMILY_PACKAGES[family]];
}

export function isImageRole(value: string): value is ImageRole {
  return (IMAGE_ROLES as readonly string[]).includes(value);
}

/** A release that cannot become an image (the CLI exits 1 with its message, as for any release error). */
export class ImageError extends ReleaseError {
  constructor(message: string) {
    super(message);
    this.name = 'ImageError';
  }
}

/** Docker's tag grammar; versions also name the SBOM folder, so no `/`. */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export function imageRef(role: ImageRole, version: string): string {
  if (!TAG.test(version)) throw new ImageError(`"${version}" cannot be an image version (letters, digits, _ . -; at most 128)`);
  return `pitchey/${role}:${version}`;
}
