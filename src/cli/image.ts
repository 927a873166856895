// `pitchey image build|list|verify`: the platform's container images (src/image/).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dockerClient, loadConfig } from '../kit/index.js';
import { IMAGE_ROLES, LABELS, buildImages, defaultVersion, isImageRole, trustedKeyFiles, verifyImage, type ImageRole } from '../image/index.js';
import { option } from './admin-client.js';
import { formatTable } from './table.js';
import { CheckFailed, UsageError } from './usage.js';

const projectRoot = (): string => fileURLToPath(new URL('../..', import.meta.url));

/** Every `--role R` given, or every role. */
function roles(argv: string[]): ImageRole[] {
  const picked = argv.flatMap((a, i) => (a === '--role' ? [argv[i + 1] ?? ''] : []));
  for (const r of picked) if (!isImageRole(r)) throw new UsageError(`--role must be one of ${IMAGE_ROLES.join(' | ')}`);
  return picked.length === 0 ? [...IMAGE_ROLES] : (picked as ImageRole[]);
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(0);

async function build(argv: string[]): Promise<void> {
  const config = loadConfig();
  const root = projectRoot();
  const chosen = option(argv, 'version');
  const fallback = chosen === undefined ? await defaultVersion(root) : null;
  const result = await buildImages({
    docker: await dockerClient(config.dockerHost),
    projectRoot: root,
    version: chosen ?? fallback!.version,
    dataDir: config.dataDir,
    signingKey: config.imageSigningKey,
    mode: config.mode,
    roles: roles(argv),
    replace: fallback?.replaceable ?? false,
    log: (line) => console.error(line),
  });
  console.log(
    formatTable(
      ['image', 'id', 'size MB', 'budget MB', 'build s'],
      result.images.map((i) => [i.ref, i.id.slice(7, 19), mb(i.sizeBytes), String(i.budgetMb), i.reused ? 'unchanged' : i.seconds.toFixed(1)]),
    ),
  );
  console.error(`release ${result.releaseChecksum}; ${result.images.length} images in ${result.seconds.toFixed(0)} s; SBOMs and signatures in ${dirname(result.images[0]?.attestation.sbom ?? '.')}`);
  if (result.developmentKey) console.error('signed with the development key (not for production: set PITCHEY_IMAGE_SIGNING_KEY)');
}

/** Every `pitchey/<role>:<version>` in the engine, with its labels and whether its signature verifies. */
async function list(): Promise<void> {
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
  console.log(
    formatTable(
      ['image', 'id', 'revision', 'created', 'node', 'size MB', 'release', 'signature'],
      rows.sort((a, b) => a[0]!.localeCompare(b[0]!)),
    ),
  );
}

async function verify(argv: string[]): Promise<void> {
  const role = argv[0] ?? '';
  const version = option(argv, 'version');
  if (!isImageRole(role) || version === undefined) throw new UsageError(`image verify <role> --version V (role: ${IMAGE_ROLES.join(' | ')})`);
  const config = loadConfig();
  const v = await verifyImage({ docker: await dockerClient(config.dockerHost), role, version, dataDir: config.dataDir, trustedKeys: trustedKeyFiles(config) });
  if (!v.ok) throw new CheckFailed(v.reason);
  console.log(`pitchey/${role}:${version} ${v.image}: signature verified (key ${v.keyId})`);
}

export async function image(argv: string[]): Promise<void> {
  switch (argv[0]) {
    case 'build':
      return build(argv.slice(1));
    case 'list':
      return list();
    case 'verify':
      return verify(argv.slice(1));
    default:
      throw new UsageError('image build [--version V] [--role R …] | image list | image verify <role> --version V');
  }
}
