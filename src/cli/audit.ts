// `pitchey audit`, `pitchey lock status|release`, `pitchey release build|list`.
import { fileURLToPath } from 'node:url';
import { dataPath, dockerClient, loadConfig } from '../kit/light.js';
import { buildRelease, listReleases } from '../deploy/releases.js';
import type { AuditAnswer, DeploymentRecord, LockAnswer } from '../deploy/admin-api.js';
import { renderHtml, renderMarkdown } from '../deploy/record-render.js';
import { createAdminClient, option } from './admin-client.js';
import { formatTable } from './table.js';
import { CheckFailed, UsageError } from './usage.js';

export async function audit(argv: string[]): Promise<void> {
  const deployment = option(argv, 'deployment');
  const r = await createAdminClient(argv).call<AuditAnswer>('GET', `/audit${deployment ? `?deployment=${encodeURIComponent(deployment)}` : ''}`);
  if (argv.includes('--json')) console.log(JSON.stringify(r, null, 2));
  else
    console.log(
      formatTable(
        ['seq', 'time', 'kind', 'actor', 'deployment'],
        r.events.map((e) => [String(e.seq), new Date(e.at).toISOString(), e.kind, e.actor, e.deploymentId ?? '']),
      ),
    );
  if (!r.verified) throw new CheckFailed(`audit chain broken at event ${r.broken?.brokenAt}: ${r.broken?.reason}`);
  console.error(`audit chain verified (${r.events.length} events shown)`);
}

export async function lock(argv: string[]): Promise<void> {
  const client = createAdminClient(argv);
  if (argv[0] === 'release') {
    console.log(JSON.stringify(await client.call('DELETE', '/lock')));
    return;
  }
  if (argv[0] !== 'status') throw new UsageError('lock status|release');
  const { lock: held } = await client.call<LockAnswer>('GET', '/lock');
  console.log(held === null ? 'unlocked' : `locked by ${held.holder} since ${new Date(held.acquiredAt).toISOString()}: ${held.reason}`);
}

/** The docker driver's releases are images: each version with its roles' image IDs and sizes. */
async function listImages(dockerHost: string | null): Promise<void> {
  const { listImageReleases } = await import('../deploy/adapters/docker-images.js');
  const releases = await listImageReleases(await dockerClient(dockerHost));
  console.log(
    formatTable(
      ['version', 'created', 'checksum', 'images'],
      releases.map((r) => [r.version, r.createdAt, r.checksum, (r.images ?? []).map((i) => `${i.role} ${i.id.slice(7, 19)} ${Math.round(i.sizeBytes / 1e6)} MB`).join(', ')]),
    ),
  );
}

export async function release(argv: string[]): Promise<void> {
  const config = loadConfig();
  const releasesDir = dataPath(config.dataDir, 'releases');
  if (argv[0] === 'list' && config.driver === 'docker') {
    await listImages(config.dockerHost);
    return;
  }
  if (argv[0] === 'list') {
    console.log(
      formatTable(
        ['version', 'created', 'files', 'checksum'],
        listReleases(releasesDir).map((m) => [m.version, m.createdAt, String(m.files), m.checksum]),
      ),
    );
    return;
  }
  const version = option(argv, 'version');
  if (argv[0] !== 'build' || version === undefined) throw new UsageError('release build --version V | release list');
  const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
  const manifest = buildRelease({ projectRoot, releasesDir, version });
  console.log(`release ${manifest.version}: ${manifest.files} files, ${manifest.checksum}`);
}

export async function record(argv: string[]): Promise<void> {
  const id = argv[0];
  const format = option(argv, 'format') ?? 'md';
  if (id === undefined || id.startsWith('--') || !['md', 'json', 'html'].includes(format)) throw new UsageError('record <deployment> [--format md|json|html]');
  const r = await createAdminClient(argv).call<DeploymentRecord>('GET', `/deployments/${id}/record`);
  process.stdout.write(format === 'json' ? `${JSON.stringify(r, null, 2)}\n` : format === 'html' ? renderHtml(r) : renderMarkdown(r));
}

export async function acknowledge(argv: string[]): Promise<void> {
  const id = argv[0];
  const item = option(argv, 'item');
  const name = option(argv, 'name');
  if (id === undefined || item === undefined || name === undefined) throw new UsageError('acknowledge <deployment> --item I --name N [--note T]');
  await createAdminClient(argv).call('POST', `/deployments/${id}/acknowledgements`, { item, name, note: option(argv, 'note') });
  console.log(`recorded: ${item} by ${name}`);
}
