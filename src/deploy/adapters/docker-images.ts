// Releases as images: `pitchey/<role>:<version>`, resolved to the image ID that is verified and
// then run (a tag can move; an ID cannot), and the image releases present on a daemon.
import type Docker from 'dockerode';
import type { ReleaseSummary, Resolution } from './driver.js';

const LABEL_ROLE = 'io.pitchey.role';
const LABEL_VERSION = 'org.opencontainers.image.version';
const LABEL_CHECKSUM = 'io.pitchey.release.checksum';

/** Docker's tag grammar. */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export interface ImageFacts { role: string; version: string; ref: string; id: string }

/** Checks an image before it runs: null when its signature verifies, else why not. */
export type ImageVerifier = (image: ImageFacts) => Promise<string | null>;

function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number }).statusCode;
}

export function imageRefOf(role: string, version: string): string | null {
  return TAG.test(version) ? `pitchey/${role}:${version}` : null;
}

/** The image for `role` at `version`, by ID, once its signature verifies. */
export async function resolveImage(docker: Docker, verify: ImageVerifier, role: string, version: string): Promise<Resolution> {
  const ref = imageRefOf(role, version);
  if (ref === null) return { status: 'missing', reason: `"${version}" cannot be an image tag (letters, digits, _ . -)` };
  let id: string;
  try {
    id = (await docker.getImage(ref).inspect()).Id;
  } catch (err) {
    if (statusOf(err) === 404) return { status: 'missing', reason: `no image ${ref} on the Docker daemon; build it with \`pitchey image build --version ${version}\`` };
    throw err;
  }
  const refused = await verify({ role, version, ref, id });
  return refused === null ? { status: 'ok', ref: id } : { status: 'refused', reason: `image ${ref} (${id.slice(0, 19)}) is refused: ${refused}` };
}

/** Every version with at least one `pitchey/<role>:<version>` image, oldest first. */
export async function listImageReleases(docker: Docker): Promise<ReleaseSummary[]> {
  const images = await docker.listImages({ filters: JSON.stringify({ label: [LABEL_ROLE] }) });
  const byVersion = new Map<string, ReleaseSummary>();
  for (const image of images) {
    const labels = image.Labels ?? {};
    const role = labels[LABEL_ROLE];
    const version = labels[LABEL_VERSION];
    if (role === undefined || version === undefined || !(image.RepoTags ?? []).includes(`pitchey/${role}:${version}`)) continue;
    const release = byVersion.get(version) ?? { version, createdAt: new Date(image.Created * 1000).toISOString(), checksum: labels[LABEL_CHECKSUM] ?? 'unknown', kind: 'image', images: [] };
    release.images?.push({ role, id: image.Id, sizeBytes: image.Size });
    byVersion.set(version, release);
  }
  return [...byVersion.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.version.localeCompare(b.version));
}
