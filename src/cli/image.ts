// `pitchey image build|list|verify`: the platform's container images (src/image/).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dockerClient, loadConfig } from '../kit/index.js';
import { IMAGE_ROLES, LABELS, buildImages, defaultVersion, isImageRole, trustedKeyFiles, verifyImage, type ImageRole } from '../image/index.js';
import type { ArgsOf } from './commands.js';
import { emit } from './output.js';
import { formatTable } from './table.js';
import { CheckFailed, UsageError } from './usage.js';

const projectRoot = (): string => fileURLToPath(new URL('../..', import.meta.url));

/** Every `--role R` given (the parser checked each), or every role. */
function roles(picked: string[]): ImageRole[] {
  return picked.length === 0 ? [...IMAGE_ROLES] : (picked as ImageRole[]);
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(0);

export async function imageBuild(a: ArgsOf<'imageBuild'>): Promise<void> {
  const config = loadConfig();
  const root = projectRoot();
  const chosen = a.values.version;
  const fallback = chosen === undefined ? await defaultVersion(root) : null;
  const result = await buildImages({
    docker: await dockerClient(config.dockerHost),
    projectRoot: root,
    version: chosen ?? fallback!.version,
    dataDir: config.dataDir,
    signingKey: config.imageSigningKey,
    mode: config.mode,
    roles: roles(a.values.role ?? []),
    replace: fallback?.replaceable ?? false,
    log: (line) => console.error(line),
  });
  emit(a.values.json, result, () =>
    formatTable(
      ['image', 'id', 'size MB', 'budget MB', 'build s'],
      result.images.map((i) => [i.ref, i.id.slice(7, 19), mb(i.sizeBytes), String(i.budgetMb), i.reused ? 'unchanged' : i.seconds.toFixed(1)]),
    ),
  );
  console.error(`release ${result.releaseChecksum}; ${result.images.length} images in ${result.seconds.toFixed(0)} s; SBOMs and signatures in ${dirname(result.images[0]?.attestation.sbom ?? '.')}`);
  if (result.developmentKey) console.error('signed with the development key (not for production: set PITCHEY_IMAGE_SIGNING_KEY)');
}

/** Every `pitchey/<role>:<version>` in the engine, with its labels and whether its signature verifies. */
export async function imageList(a: ArgsOf<'imageList'>): Promise<void> {
  const config = loadConfig();
  const docker = await dockerClient(config.dockerHost);
  const trustedKeys = trustedKeyFiles(config);
  const rows: string[][] = [];
  for (const info of await docker.listImages({ filters: JSON.stringify({ label: [LABELS.role] }) })) {
    for (const tag of info.RepoTags ?? []) {
      const [, role = '', version = ''] = /^pitchey\/([a-z]+):(.+)$/.exec(tag) ?? [];
      if (!isImageRole(role)) continue;
      const labels = info.Labels ?? {};
      const v = await verifyImage({ docker, ref: info.Id, role, version, dataDir: config.dataDir, trustedKeys });
      rows.push([
        tag,
        info.Id.slice(7, 19),
        (labels[LABELS.revision] ?? '').slice(0, 12),
        labels[LABELS.created] ?? '',
        labels[LABELS.node] ?? '',
        mb(info.Size),
        (labels[LABELS.releaseChecksum] ?? '').slice(0, 19),
        v.ok ? `verified (${v.keyId})` : `UNVERIFIED: ${v.reason}`,
      ]);
    }
  }
  rows.sort((x, y) => x[0]!.localeCompare(y[0]!));
  const HEADERS = ['image', 'id', 'revision', 'created', 'node', 'size MB', 'release', 'signature'];
  emit(a.values.json, { images: rows.map((r) => Object.fromEntries(HEADERS.map((h, i) => [h, r[i]]))) }, () => formatTable(HEADERS, rows));
}

export async function imageVerify(a: ArgsOf<'imageVerify'>): Promise<void> {
  const role = a.positionals[0]!;
  const version = a.values.version!;
  if (!isImageRole(role)) throw new UsageError(`image verify: <role> is one of ${IMAGE_ROLES.join(' | ')}, not "${role}"`);
  const config = loadConfig();
  const v = await verifyImage({ docker: await dockerClient(config.dockerHost), role, version, dataDir: config.dataDir, trustedKeys: trustedKeyFiles(config) });
  if (!v.ok) throw new CheckFailed(v.reason);
  emit(a.values.json, v, () => `pitchey/${role}:${version} ${v.image}: signature verified (key ${v.keyId})`);
}
