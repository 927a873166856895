// A role's Dockerfile, generated: the family base (by ID), /app copied from the release image, the
// role's user, environment, health check and labels. Pure: the same inputs give the same text.
import { GATEWAY_PORT, SERVICE_HOME_PORTS } from '../kit/light.js';
import { SERVICE_UID, type Family, type ImageRole } from './families.js';

export const LABELS = {
  revision: 'org.opencontainers.image.revision',
  version: 'org.opencontainers.image.version',
  created: 'org.opencontainers.image.created',
  title: 'org.opencontainers.image.title',
  role: 'io.pitchey.role',
  releaseChecksum: 'io.pitchey.release.checksum',
  node: 'io.pitchey.node',
  family: 'io.pitchey.family',
  base: 'io.pitchey.base',
} as const;

export interface ImageFacts {
  role: ImageRole;
  version: string;
  /** The git commit the release was built from. */
  revision: string;
  /** The commit's time (not the build's), so labels are the same whenever the commit is built. */
  created: string;
  releaseChecksum: string;
  node: string;
  family: Family;
  /** The base's tag, `pitchey-base-<family>:<recipe hash>`. */
  base: string;
}

export function imageLabels(facts: ImageFacts): Record<string, string> {
  return {
    [LABELS.revision]: facts.revision,
    [LABELS.version]: facts.version,
    [LABELS.created]: facts.created,
    [LABELS.title]: `pitchey-${facts.role}`,
    [LABELS.role]: facts.role,
    [LABELS.releaseChecksum]: facts.releaseChecksum,
    [LABELS.node]: facts.node,
    [LABELS.family]: facts.family,
    [LABELS.base]: facts.base,
  };
}

export function homePort(role: ImageRole): number {
  return role === 'gateway' ? GATEWAY_PORT : SERVICE_HOME_PORTS[role];
}

/** The image has no curl: Node asks /health on PITCHEY_PORT, else the role's home port. */
export function healthProbe(role: ImageRole): string {
  return `fetch('http://127.0.0.1:'+(process.env.PITCHEY_PORT||${homePort(role)})+'/health',{signal:AbortSignal.timeout(4000)})` + '.then(r=>process.exit(r.ok?0:1),()=>process.exit(1))';
}

/**
 * Runs as the `pitchey` user, except the code executor: its sandbox creates cgroups and switches
 * to an unprivileged uid per run (README, "Containers": the privileges it needs).
 */
export function runsAsRoot(role: ImageRole): boolean {
  return role === 'code';
}

/** `releaseId`: the release image (only /app), see release-image.ts. */
export function dockerfile(options: { baseId: string; releaseId: string; facts: ImageFacts }): string {
  const { role } = options.facts;
  const user = runsAsRoot(role) ? '0:0' : `${SERVICE_UID}:${SERVICE_UID}`;
  const labels = Object.entries(imageLabels(options.facts)).map(([k, v]) => `  ${JSON.stringify(k)}=${JSON.stringify(v)}`);
  return [
    `FROM ${options.releaseId} AS release`,
    `FROM ${options.baseId}`,
    'COPY --from=release /app /app',
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin NODE_ENV=production PITCHEY_HOST=0.0.0.0 PITCHEY_DATA_DIR=/data',
    'WORKDIR /app',
    `USER ${user}`,
    `EXPOSE ${homePort(role)}`,
    'STOPSIGNAL SIGTERM',
    `HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ${JSON.stringify(['node', '-e', healthProbe(role)])}`,
    'ENTRYPOINT ["node", "/app/dist/cli/main.js"]',
    `CMD ${JSON.stringify(['serve', role])}`,
    `LABEL ${labels.join(' \\\n')}`,
    '',
  ].join('\n');
}
