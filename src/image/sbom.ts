// An image's software bill of materials, CycloneDX 1.5 JSON: the npm packages the lockfile installs
// for production on linux/x64, and the Debian packages in the base's dpkg status. Pure: the same
// lockfile, status and image give the same bytes (the timestamp is the commit's).
import { createHash } from 'node:crypto';
import type { ImageFacts } from './dockerfile.js';

export interface CdxComponent {
  type: 'library' | 'application' | 'container' | 'operating-system';
  'bom-ref': string;
  name: string;
  group?: string;
  version: string;
  purl?: string;
  licenses?: Array<{ expression: string }>;
  hashes?: Array<{ alg: 'SHA-512' | 'SHA-256'; content: string }>;
  properties?: Array<{ name: string; value: string }>;
}

export interface CdxBom {
  bomFormat: 'CycloneDX';
  specVersion: '1.5';
  serialNumber: string;
  version: 1;
  metadata: { timestamp: string; tools: { components: CdxComponent[] }; component: CdxComponent };
  components: CdxComponent[];
}

interface LockEntry {
  version?: string;
  name?: string;
  dev?: boolean;
  link?: boolean;
  integrity?: string;
  license?: string;
  os?: string[];
  cpu?: string[];
  libc?: string[];
}
export interface Lockfile {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
}

/** The images are linux/amd64 with glibc. */
const TARGET = { os: 'linux', cpu: 'x64', libc: 'glibc' };

/** npm's os/cpu/libc fields: a list of allowed values, or of `!denied` ones. */
function allows(list: string[] | undefined, value: string): boolean {
  if (list === undefined || list.length === 0) return true;
  if (list.includes(`!${value}`)) return false;
  return list.includes(value) || list.every((v) => v.startsWith('!'));
}

export function npmPurl(name: string, version: string): string {
  return `pkg:npm/${name.startsWith('@') ? `%40${name.slice(1)}` : name}@${encodeURIComponent(version)}`;
}

/** The packages `npm ci --omit=dev` installs on the target: not dev, not a link, built for linux/x64/glibc. */
export function npmComponents(lock: Lockfile): CdxComponent[] {
  if (lock.lockfileVersion < 2) throw new Error('package-lock.json must be lockfileVersion 2 or 3 (npm 7+)');
  const out = new Map<string, CdxComponent>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.dev === true || entry.link === true || entry.version === undefined) continue;
    if (!allows(entry.os, TARGET.os) || !allows(entry.cpu, TARGET.cpu) || !allows(entry.libc, TARGET.libc)) continue;
    const name = entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const purl = npmPurl(name, entry.version);
    const slash = name.startsWith('@') ? name.indexOf('/') : -1;
    out.set(purl, {
      type: 'library',
      'bom-ref': purl,
      ...(slash > 0 ? { group: name.slice(0, slash), name: name.slice(slash + 1) } : { name }),
      version: entry.version,
      purl,
      ...(entry.license ? { licenses: [{ expression: entry.license }] } : {}),
      ...(entry.integrity?.startsWith('sha512-') ? { hashes: [{ alg: 'SHA-512' as const, content: Buffer.from(entry.integrity.slice(7), 'base64').toString('hex') }] } : {}),
    });
  }
  return [...out.values()];
}

export interface DebPackage {
  name: string;
  version: string;
  arch: string;
  source: string | null;
}

/** Installed packages in a dpkg status file (`Status: install ok installed`). */
export function parseDpkgStatus(status: string): DebPackage[] {
  return status.split(/\n\n+/).flatMap((block) => {
    const field = (name: string): string | undefined => new RegExp(`^${name}: (.*)$`, 'm').exec(block)?.[1]?.trim();
    const name = field('Package');
    const version = field('Version');
    if (name === undefined || version === undefined || field('Status') !== 'install ok installed') return [];
    return [{ name, version, arch: field('Architecture') ?? 'all', source: field('Source')?.split(' ')[0] ?? null }];
  });
}

export function debPurl(pkg: DebPackage): string {
  return `pkg:deb/debian/${pkg.name}@${encodeURIComponent(pkg.version)}?arch=${pkg.arch}`;
}

export function debComponents(status: string): CdxComponent[] {
  return parseDpkgStatus(status).map((p) => ({
    type: 'library' as const,
    'bom-ref': debPurl(p),
    name: p.name,
    version: p.version,
    purl: debPurl(p),
    ...(p.source !== null && p.source !== p.name ? { properties: [{ name: 'debian:source', value: p.source }] } : {}),
  }));
}

/** A UUID made from the image, so the same image always gets the same serial number. */
function serialOf(image: string): string {
  const h = createHash('sha256').update(image).digest('hex');
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function createSbom(options: { lock: Lockfile; dpkgStatus: string; facts: ImageFacts; image: string }): CdxBom {
  const { facts, image } = options;
  const ref = `pitchey/${facts.role}:${facts.version}`;
  const byRef = (a: CdxComponent, b: CdxComponent): number => a['bom-ref'].localeCompare(b['bom-ref']);
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: serialOf(image),
    version: 1,
    metadata: {
      timestamp: facts.created,
      tools: { components: [{ type: 'application', 'bom-ref': 'pitchey', name: 'pitchey image build', version: facts.version }] },
      component: {
        type: 'container',
        'bom-ref': ref,
        name: `pitchey/${facts.role}`,
        version: facts.version,
        properties: [
          { name: 'io.pitchey.image', value: image },
          { name: 'io.pitchey.release.checksum', value: facts.releaseChecksum },
          { name: 'org.opencontainers.image.revision', value: facts.revision },
          { name: 'io.pitchey.base', value: facts.base },
        ],
      },
    },
    components: [...npmComponents(options.lock).sort(byRef), ...debComponents(options.dpkgStatus).sort(byRef)],
  };
}
