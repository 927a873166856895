// The generated Dockerfile and labels: what each role's image records and how it starts and is probed.
import { describe, expect, it } from 'vitest';
import { IMAGE_ROLES, LABELS, ROLE_FAMILY, baseRecipe, baseTag, dockerfile, homePort, imageLabels, imageRef, type ImageFacts } from '../../src/image/index.js';
import { SERVICE_HOME_PORTS } from '../../src/kit/light.js';

const facts = (role: ImageFacts['role']): ImageFacts => ({
  role,
  version: '0.1.0-abc',
  revision: 'f'.repeat(40),
  created: '2026-01-02T03:04:05.000Z',
  releaseChecksum: `sha256:${'1'.repeat(64)}`,
  node: '20.19.2',
  family: ROLE_FAMILY[role],
  base: 'pitchey-base-node:0123456789abcdef',
});
const BASE = `sha256:${'9'.repeat(64)}`;
const RELEASE = `sha256:${'8'.repeat(64)}`;

describe("a role's Dockerfile", () => {
  it("starts the role from the base by ID with the release's /app, as the pitchey user, on 0.0.0.0, with /data", () => {
    const text = dockerfile({ baseId: BASE, releaseId: RELEASE, facts: facts('document') });
    expect(text.split('\n').slice(0, 3)).toEqual([`FROM ${RELEASE} AS release`, `FROM ${BASE}`, 'COPY --from=release /app /app']);
    expect(text).toContain('USER 10001:10001');
    expect(text).toMatch(/^ENV .*PITCHEY_HOST=0\.0\.0\.0/m);
    expect(text).toMatch(/^ENV .*NODE_ENV=production/m);
    expect(text).toMatch(/^ENV .*PITCHEY_DATA_DIR=\/data/m);
    expect(text).toContain('STOPSIGNAL SIGTERM');
    expect(text).toContain('ENTRYPOINT ["node", "/app/dist/cli/main.js"]');
    expect(text).toContain('CMD ["serve","document"]');
    expect(text).toContain(`EXPOSE ${SERVICE_HOME_PORTS.document}`);
  });

  it('runs only the code executor as root', () => {
    for (const role of IMAGE_ROLES) expect(dockerfile({ baseId: BASE, releaseId: RELEASE, facts: facts(role) }).includes('USER 0:0')).toBe(role === 'code');
  });

  it("probes /health with node on PITCHEY_PORT, else the role's home port", () => {
    const line = dockerfile({ baseId: BASE, releaseId: RELEASE, facts: facts('gateway') })
      .split('\n')
      .find((l) => l.startsWith('HEALTHCHECK'))!;
    const argv = JSON.parse(line.slice(line.indexOf('CMD ') + 4)) as string[];
    expect(argv.slice(0, 2)).toEqual(['node', '-e']);
    expect(argv[2]).toContain('process.env.PITCHEY_PORT||8080');
    expect(argv[2]).toContain('/health');
    expect(homePort('code')).toBe(SERVICE_HOME_PORTS.code);
  });

  it('labels the commit, its time, the version, the release checksum and the Node version', () => {
    const text = dockerfile({ baseId: BASE, releaseId: RELEASE, facts: facts('ai') });
    for (const [key, value] of Object.entries(imageLabels(facts('ai')))) expect(text).toContain(`${JSON.stringify(key)}=${JSON.stringify(value)}`);
    expect(imageLabels(facts('ai'))).toMatchObject({ [LABELS.revision]: 'f'.repeat(40), [LABELS.created]: '2026-01-02T03:04:05.000Z', [LABELS.node]: '20.19.2', [LABELS.role]: 'ai' });
  });
});

describe('names', () => {
  it('are pitchey/<role>:<version>, refusing what Docker cannot tag', () => {
    expect(imageRef('video', '1.2.3-abc')).toBe('pitchey/video:1.2.3-abc');
    for (const bad of ['', '1.0+build', 'a/b', '-x', 'x'.repeat(129)]) expect(() => imageRef('video', bad)).toThrow(/cannot be an image version/);
  });

  it('tag a base by its recipe, so a changed package list is another base', () => {
    expect(baseTag(baseRecipe('node'))).toMatch(/^pitchey-base-node:[0-9a-f]{16}$/);
    expect(baseTag(baseRecipe('node'))).toBe(baseTag(baseRecipe('node')));
    expect(baseTag({ ...baseRecipe('node'), packages: [...baseRecipe('node').packages, 'curl'] })).not.toBe(baseTag(baseRecipe('node')));
  });

  it('keep ffmpeg, tesseract and Python out of the gateway and AI bases', () => {
    for (const role of ['gateway', 'ai'] as const) {
      const packages = baseRecipe(ROLE_FAMILY[role]).packages;
      for (const heavy of ['ffmpeg', 'tesseract-ocr', 'python3', 'poppler-utils']) expect(packages).not.toContain(heavy);
    }
  });
});
