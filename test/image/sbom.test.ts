// The SBOM from the real lockfile and a dpkg status: production npm packages only (dev and other
// platforms' binaries left out), Debian packages as installed, and the same bytes every time.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSbom, debPurl, npmComponents, npmPurl, parseDpkgStatus, type ImageFacts, type Lockfile } from '../../src/image/index.js';

const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as Lockfile;

const STATUS = `Package: nodejs
Status: install ok installed
Architecture: amd64
Source: nodejs (20.19.2+dfsg-1)
Version: 20.19.2+dfsg-1+deb13u3

Package: libc6
Status: install ok installed
Architecture: amd64
Version: 2.41-12

Package: removed-one
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0

Package: tzdata
Status: install ok installed
Architecture: all
Version: 2025b-4+deb13u1
`;

const facts: ImageFacts = {
  role: 'gateway',
  version: '1.2.3',
  revision: 'a'.repeat(40),
  created: '2026-01-02T03:04:05.000Z',
  releaseChecksum: `sha256:${'b'.repeat(64)}`,
  node: '20.19.2',
  family: 'node',
  base: 'pitchey-base-node:0123456789abcdef',
};

describe('npm components', () => {
  const components = npmComponents(lock);
  const names = components.map((c) => (c.group ? `${c.group}/${c.name}` : c.name));

  it('lists production dependencies with purls, licences and hashes', () => {
    expect(names).toContain('fastify');
    expect(names).toContain('@fastify/busboy');
    const busboy = components.find((c) => c.group === '@fastify' && c.name === 'busboy')!;
    expect(busboy.purl).toBe(npmPurl('@fastify/busboy', busboy.version));
    expect(busboy.purl).toMatch(/^pkg:npm\/%40fastify\/busboy@\d/);
    expect(busboy.hashes?.[0]?.alg).toBe('SHA-512');
    expect(busboy.hashes?.[0]?.content).toMatch(/^[0-9a-f]{128}$/);
    expect(busboy.licenses?.[0]?.expression).toBe('MIT');
  });

  it('leaves out dev dependencies and binaries for other platforms', () => {
    expect(names).not.toContain('vitest');
    expect(names).not.toContain('eslint');
    expect(names).toContain('@esbuild/linux-x64');
    expect(names).not.toContain('@esbuild/darwin-arm64');
    expect(names).not.toContain('@esbuild/linux-arm64');
  });

  it('refuses a lockfile from before npm 7', () => {
    expect(() => npmComponents({ lockfileVersion: 1, packages: {} })).toThrow(/lockfileVersion/);
  });
});

describe('deb components', () => {
  it('reads installed packages only, with Debian purls', () => {
    const pkgs = parseDpkgStatus(STATUS);
    expect(pkgs.map((p) => p.name)).toEqual(['nodejs', 'libc6', 'tzdata']);
    expect(debPurl(pkgs[0]!)).toBe('pkg:deb/debian/nodejs@20.19.2%2Bdfsg-1%2Bdeb13u3?arch=amd64');
    expect(debPurl(pkgs[2]!)).toBe('pkg:deb/debian/tzdata@2025b-4%2Bdeb13u1?arch=all');
  });
});

describe('the SBOM', () => {
  const image = `sha256:${'c'.repeat(64)}`;
  const bom = createSbom({ lock, dpkgStatus: STATUS, facts, image });

  it('is CycloneDX 1.5 describing the image, with npm and deb components', () => {
    expect(bom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1 });
    expect(bom.serialNumber).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(bom.metadata.timestamp).toBe(facts.created);
    expect(bom.metadata.component).toMatchObject({ type: 'container', name: 'pitchey/gateway', version: '1.2.3' });
    expect(bom.metadata.component.properties).toContainEqual({ name: 'io.pitchey.image', value: image });
    expect(bom.components.some((c) => c.purl?.startsWith('pkg:npm/'))).toBe(true);
    expect(bom.components.filter((c) => c.purl?.startsWith('pkg:deb/'))).toHaveLength(3);
    const refs = bom.components.map((c) => c['bom-ref']);
    expect(new Set(refs).size).toBe(refs.length);
  });

  it('is the same bytes for the same inputs, and another serial for another image', () => {
    expect(JSON.stringify(createSbom({ lock, dpkgStatus: STATUS, facts, image }))).toBe(JSON.stringify(bom));
    expect(createSbom({ lock, dpkgStatus: STATUS, facts, image: `sha256:${'d'.repeat(64)}` }).serialNumber).not.toBe(bom.serialNumber);
  });
});
