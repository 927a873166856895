// Releases as images: `pitchey/<role>:<version>`, resolved to the image ID that is verified and
// then run (a tag can move; an ID cannot), and the image releases present on a daemon.
import type Docker from 'dockerode';
import { ImageError, LABELS, imageId, imageRef, isImageRole } from '../../image/index.js';
import type { ReleaseSummary, Resolution } from './driver.js';

export interface ImageFacts {
  role: string;
  version: string;
  ref: string;
  id: string;
}

/** Checks an image before it runs: null when its signature verifies, else why not. */
export type ImageVerifier = (image: ImageFacts) => Promise<string | null>;

/** `pitchey/<role>:<version>`, or why that is no image reference. */
function refOf(role: string, version: string): { ref: string } | { reason: string } {
  if (!isImageRole(role)) return { reason: `no image role "${role}"` };
  try {
    return { ref: imageRef(role, version) };
  } catch (err) {
    if (err instanceof ImageError) return { reason: err.message };
    throw err;
  }
}

/** The image for `role` at `version`, by ID, once its signature verifies. */
export async function resolveImage(docker: Docker, verify: ImageVerifier, role: string, version: string): Promise<Resolution> {
  const named = refOf(role, version);
  if (!('ref' in named)) return { status: 'missing', reason: named.reason };
  const { ref } = named;
  const id = await imageId(docker, ref);
  if (id === null) return { status: 'missing', reason: `no image ${ref} on the Docker daemon; build it with \`pitchey image build --version ${version}\`` };
  const refused = await verify({ role, version, ref, id });
  return refused === null ? { status: 'ok', ref: id } : { status: 'refused', reason: `image ${id.slice(0, 19)}… refused: ${refused}` };
}

/**
 * Every version with at least one `pitchey/<role>:<version>` tag, oldest first: by tag, as `resolve`
 * finds them (an image tagged again under another version is listed under both).
 */
export async function listImageReleases(docker: Docker): Promise<ReleaseSummary[]> {
  const images = await docker.listImages({ filters: JSON.stringify({ label: [LABELS.role] }) });
  const byVersion = new Map<string, ReleaseSummary>();
  for (const image of images) {
    const labels = image.Labels ?? {};
    const role = labels[LABELS.role];
    if (role === undefined) continue;
    for (const tag of image.RepoTags ?? []) {
      if (!tag.startsWith(`pitchey/${role}:`)) continue;
      const version = tag.slice(`pitchey/${role}:`.length);
      const release = byVersion.get(version) ?? { version, createdAt: new Date(image.Created * 1000).toISOString(), checksum: labels[LABELS.releaseChecksum] ?? 'unknown', kind: 'image', images: [] };
      release.images?.push({ role, id: image.Id, sizeBytes: image.Size });
      byVersion.set(version, release);
    }
  }
  return [...byVersion.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.version.localeCompare(b.version));
}
