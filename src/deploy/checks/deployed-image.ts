// The image a deployment of (role, version) would run with the docker driver, as the engine holds
// it: `pitchey/<role>:<version>` inspected through the Docker Engine API, for its ID (the config
// digest every Trivy report of it carries) and its registry digests.
import { IMAGE_ROLES, imageRef, isImageRole } from '../../image/index.js';
import { dockerClient } from '../../kit/index.js';

export interface DeployedImage {
  /** `pitchey/<role>:<version>`. */
  ref: string;
  /** `sha256:…`: the image's config digest, what `docker images --no-trunc` shows as IMAGE ID. */
  id: string;
  /** `repo@sha256:…` for an image pushed to or pulled from a registry; empty for one built here. */
  repoDigests: string[];
}

/** Pure: an Engine API image inspection as a DeployedImage; throws when it names no ID. */
export function deployedImageOf(ref: string, inspected: { Id?: unknown; RepoDigests?: unknown }): DeployedImage {
  if (typeof inspected.Id !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(inspected.Id)) throw new Error(`${ref}: the engine reported no image ID`);
  const repoDigests = Array.isArray(inspected.RepoDigests) ? inspected.RepoDigests.filter((d): d is string => typeof d === 'string') : [];
  return { ref, id: inspected.Id, repoDigests };
}

/** The deployed image of (role, version) on the engine at `dockerHost` (null: DOCKER_HOST, else the default socket). */
export async function inspectDeployedImage(dockerHost: string | null, role: string, version: string): Promise<DeployedImage> {
  if (!isImageRole(role)) throw new Error(`"${role}" has no image: one of ${IMAGE_ROLES.join(', ')}`);
  const ref = imageRef(role, version);
  const docker = await dockerClient(dockerHost);
  try {
    return deployedImageOf(ref, await docker.getImage(ref).inspect());
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) throw new Error(`no image ${ref} on the engine: build it with \`pitchey image build --version ${version}\``);
    throw err;
  }
}

/** The `sha256:…` part of `repo@sha256:…` (the same content pushed under two names is one digest). */
const digestOf = (repoDigest: string): string => repoDigest.slice(repoDigest.lastIndexOf('@') + 1);

/** Pure: whether a report's image (ID, or any registry digest) is the deployed one. */
export function sameImage(report: { imageId: string | null; repoDigests: string[] }, image: DeployedImage): boolean {
  if (report.imageId !== null && report.imageId === image.id) return true;
  const deployed = new Set(image.repoDigests.map(digestOf));
  return report.repoDigests.some((d) => deployed.has(digestOf(d)));
}

/** `sha256:0123456789ab` — enough of a digest to tell images apart in one line. */
export function shortDigest(digest: string | null): string {
  return digest === null ? 'no image ID' : digest.slice(0, 'sha256:'.length + 12);
}
