// `pitchey audit`, `lock status|release`, `release build|list`, `record`, `acknowledge`.
import { fileURLToPath } from 'node:url';
import { dataPath, dockerClient, loadConfig } from '../kit/light.js';
import { buildRelease, listReleases } from '../deploy/releases.js';
import type { AuditAnswer, DeploymentRecord, LockAnswer, ReleaseRecord } from '../deploy/admin-api.js';
import { renderHtml, renderMarkdown, renderReleaseMarkdown } from '../deploy/record-render.js';
import { createAdminClient } from './admin-client.js';
import { DEFS, type ArgsOf } from './commands.js';
import { emit } from './output.js';
import { formatTable } from './table.js';
import { CheckFailed, UsageError } from './usage.js';

type AdminArgs = { values: { gateway?: string; as?: string; env?: string } };
const client = (a: AdminArgs, flags: readonly string[] = []) => createAdminClient({ gateway: a.values.gateway, as: a.values.as, env: a.values.env, flags });

export async function audit(a: ArgsOf<'audit'>): Promise<void> {
  const deployment = a.values.deployment;
  const r = await client(a).call<AuditAnswer>('GET', `/audit${deployment ? `?deployment=${encodeURIComponent(deployment)}` : ''}`);
  emit(a.values.json, r, () =>
    formatTable(
      ['seq', 'time', 'kind', 'actor', 'deployment'],
      r.events.map((e) => [String(e.seq), new Date(e.at).toISOString(), e.kind, e.actor, e.deploymentId ?? '']),
    ),
  );
  if (!r.verified) throw new CheckFailed(`audit chain broken at event ${r.broken?.brokenAt}: ${r.broken?.reason}`);
  console.error(`audit chain verified (${r.events.length} events shown)`);
}

export async function lockStatus(a: ArgsOf<'lockStatus'>): Promise<void> {
  const r = await client(a).call<LockAnswer>('GET', '/lock');
  const held = r.lock;
  emit(a.values.json, r, () => (held === null ? 'unlocked' : `locked by ${held.holder} since ${new Date(held.acquiredAt).toISOString()}: ${held.reason}`));
}

export async function lockRelease(a: ArgsOf<'lockRelease'>): Promise<void> {
  const r = await client(a).call('DELETE', '/lock');
  emit(a.values.json, r, () => JSON.stringify(r));
}

/** The docker driver's releases are images: each version with its roles' image IDs and sizes. */
async function listImages(dockerHost: string | null, json: boolean | undefined): Promise<void> {
  const { listImageReleases } = await import('../deploy/adapters/docker-images.js');
  const releases = await listImageReleases(await dockerClient(dockerHost));
  emit(json, releases, () =>
    formatTable(
      ['version', 'created', 'checksum', 'images'],
      releases.map((r) => [r.version, r.createdAt, r.checksum, (r.images ?? []).map((i) => `${i.role} ${i.id.slice(7, 19)} ${Math.round(i.sizeBytes / 1e6)} MB`).join(', ')]),
    ),
  );
}

export async function releaseList(a: ArgsOf<'releaseList'>): Promise<void> {
  const config = loadConfig();
  if (config.driver === 'docker') return listImages(config.dockerHost, a.values.json);
  const releases = listReleases(dataPath(config.dataDir, 'releases'));
  emit(a.values.json, releases, () =>
    formatTable(
      ['version', 'created', 'files', 'checksum'],
      releases.map((m) => [m.version, m.createdAt, String(m.files), m.checksum]),
    ),
  );
}

export function releaseBuild(a: ArgsOf<'releaseBuild'>): Promise<void> {
  const config = loadConfig();
  const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
  const manifest = buildRelease({ projectRoot, releasesDir: dataPath(config.dataDir, 'releases'), version: a.values.version! });
  emit(a.values.json, manifest, () => `release ${manifest.version}: ${manifest.files} files, ${manifest.checksum}`);
  return Promise.resolve();
}

export async function record(a: ArgsOf<'record'>): Promise<void> {
  const format = a.values.json === true ? 'json' : (a.values.format ?? 'md');
  const id = a.positionals[0]!;
  if (id.startsWith('rel-')) {
    // A platform release: one record, a section per service.
    if (format === 'html') throw new UsageError('record: a platform release is rendered as md or json');
    const r = await client(a).call<ReleaseRecord>('GET', `/release-trains/${encodeURIComponent(id)}/record`);
    if (format === 'json') emit(true, r, () => '');
    else process.stdout.write(renderReleaseMarkdown(r));
    return;
  }
  const r = await client(a).call<DeploymentRecord>('GET', `/deployments/${encodeURIComponent(id)}/record`);
  if (format === 'json') emit(true, r, () => '');
  else process.stdout.write(format === 'html' ? renderHtml(r) : renderMarkdown(r));
}

export async function acknowledge(a: ArgsOf<'acknowledge'>): Promise<void> {
  const { item, name, note } = a.values;
  const r = await client(a, Object.keys(DEFS.acknowledge.options)).call('POST', `/deployments/${encodeURIComponent(a.positionals[0]!)}/acknowledgements`, { item, name, note });
  emit(a.values.json, r, () => `recorded: ${item} by ${name}`);
}
