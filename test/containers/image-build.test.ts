// The platform's images as built by `pitchey image build` (once per checkout, shared with the other
// container tests through test/support/images.ts): labels, contents, users, tools per family, a
// health check that turns healthy, a reproducible release, the SBOM, and signatures that hold only
// for what was signed. Every container made here is removed, and the last test checks it.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  CODE_SANDBOX_PRIVILEGES,
  IMAGE_ROLES,
  LABELS,
  SERVICE_PRIVILEGES,
  buildImages,
  gitFacts,
  imageArtifacts,
  readImagePath,
  stageRelease,
  verifyImage,
  type CdxBom,
  type ImageRole,
} from '../../src/image/index.js';
import { dockerClient } from '../../src/kit/index.js';
import { PROJECT_ROOT, ensureImages, type TestImages } from '../support/images.js';

const RUN = randomUUID();
const LABEL = { 'io.pitchey.test': RUN };
let docker: Docker;
let built: TestImages;
/** The daemon's cgroup version: the code sandbox's privileges are measured on v1 only. */
let daemonCgroup = '1';
const temp: string[] = [];

beforeAll(async () => {
  docker = await dockerClient(inject('dockerHost'));
  daemonCgroup = ((await docker.info()) as { CgroupVersion?: string }).CgroupVersion ?? '1';
  built = await ensureImages(inject('dockerHost'));
}, 1_800_000);

afterAll(async () => {
  for (const d of temp) rmSync(d, { recursive: true, force: true });
  for (const c of await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`io.pitchey.test=${RUN}`] }) })) {
    await docker.getContainer(c.Id).remove({ force: true });
  }
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'pitchey-image-test-'));
  temp.push(d);
  return d;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A shell script run to its end in the image (network off); its output and exit code. */
async function shell(image: string, script: string): Promise<{ code: number; out: string }> {
  const container = await docker.createContainer({ Image: image, Entrypoint: ['sh', '-c'], Cmd: [script], Tty: true, Labels: LABEL, HostConfig: { NetworkMode: 'none' } });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const out = (await container.logs({ stdout: true, stderr: true, follow: false })).toString('utf8');
    return { code: StatusCode, out };
  } finally {
    await container.remove({ force: true });
  }
}

describe("every role's image", () => {
  it('records the commit, its time, the version, the release checksum and Node as labels', async () => {
    const git = await gitFacts(PROJECT_ROOT);
    for (const role of IMAGE_ROLES) {
      const info = await docker.getImage(built.images[role].id).inspect();
      expect(info.RepoTags).toContain(`pitchey/${role}:${built.version}`);
      expect(info.Config.Labels).toMatchObject({
        [LABELS.revision]: git.revision,
        [LABELS.created]: git.created,
        [LABELS.version]: built.version,
        [LABELS.role]: role,
        [LABELS.releaseChecksum]: built.result.releaseChecksum,
      });
      expect(info.Config.Labels[LABELS.node]).toMatch(/^20\.\d+\.\d+$/);
    }
  });

  it('runs `pitchey serve <role>` as the pitchey user (the code executor as root), stopped by SIGTERM', async () => {
    for (const role of IMAGE_ROLES) {
      const { Config } = await docker.getImage(built.images[role].id).inspect();
      expect(Config.User).toBe(role === 'code' ? '0:0' : '10001:10001');
      expect(Config.Entrypoint).toEqual(['node', '/app/dist/cli/main.js']);
      expect(Config.Cmd).toEqual(['serve', role]);
      expect((Config as { StopSignal?: string }).StopSignal).toBe('SIGTERM');
      expect(Config.Env).toEqual(expect.arrayContaining(['PITCHEY_HOST=0.0.0.0', 'NODE_ENV=production', 'PITCHEY_DATA_DIR=/data']));
      expect((Config as { Healthcheck?: { Test: string[] } }).Healthcheck?.Test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    }
  });

  it('holds node_modules itself (not a link), with the native module built', async () => {
    const [nodeModules] = await readImagePath(docker, built.images.gateway.id, '/app/node_modules/better-sqlite3/package.json');
    expect(nodeModules?.type).toBe('file');
    const [addon] = await readImagePath(docker, built.images.gateway.id, '/app/node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    expect(addon?.data.subarray(1, 4).toString()).toBe('ELF');
    const { code, out } = await shell(
      built.images.ai.id,
      "test -d /app/node_modules && ! test -L /app/node_modules && cd /app && node -e \"new (require('better-sqlite3'))(':memory:'); console.log('sqlite ok')\"",
    );
    expect(out).toContain('sqlite ok');
    expect(code).toBe(0);
  });

  it('carries the tools of its family only: no ffmpeg, tesseract or Python in the gateway and AI images', async () => {
    const probe = 'for t in setpriv prlimit node ffmpeg ffprobe tesseract pdftotext pdftoppm pdfinfo bwrap python3; do command -v $t >/dev/null && echo "has $t"; done; true';
    const tools = async (role: ImageRole): Promise<string[]> => [...(await shell(built.images[role].id, probe)).out.matchAll(/has (\S+)/g)].map((m) => m[1]!);
    for (const role of ['gateway', 'ai'] as const) expect(await tools(role)).toEqual(['setpriv', 'prlimit', 'node']);
    expect(await tools('video')).toEqual(['setpriv', 'prlimit', 'node', 'ffmpeg', 'ffprobe']);
    expect(await tools('media')).toEqual(['setpriv', 'prlimit', 'node', 'ffmpeg', 'ffprobe']);
    expect(await tools('document')).toEqual(['setpriv', 'prlimit', 'node', 'tesseract', 'pdftotext', 'pdftoppm', 'pdfinfo']);
    expect(await tools('code')).toEqual(['setpriv', 'prlimit', 'node', 'bwrap', 'python3']);
  });
});

describe('a running container', () => {
  it("turns healthy through the image's HEALTHCHECK, listening on PITCHEY_PORT on the host network", async () => {
    const port = await freePort();
    // The image's own check command, at a 1 s interval instead of 10 s.
    const { Config } = await docker.getImage(built.images.gateway.id).inspect();
    const test = (Config as { Healthcheck: { Test: string[] } }).Healthcheck.Test;
    const running = await docker.createContainer({
      Image: built.images.gateway.id,
      Env: [`PITCHEY_PORT=${port}`, 'PITCHEY_LOG_LEVEL=warn'],
      Labels: LABEL,
      HostConfig: { NetworkMode: 'host', ...SERVICE_PRIVILEGES },
      Healthcheck: { Test: test, Interval: 1e9, Timeout: 5e9, Retries: 3, StartPeriod: 30e9 },
    });
    try {
      await running.start();
      let status = 'starting';
      for (let i = 0; i < 60 && status !== 'healthy'; i++) {
        await sleep(500);
        const state = (await running.inspect()).State as { Health?: { Status: string }; Running: boolean };
        expect(state.Running).toBe(true);
        status = state.Health?.Status ?? 'none';
      }
      expect(status).toBe('healthy');
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      expect(res.status).toBe(200);
      await running.stop({ t: 20 });
      expect(((await running.inspect()).State as { ExitCode: number }).ExitCode).toBe(0);
    } finally {
      await running.remove({ force: true });
    }
  });
});

describe("the code executor's container", () => {
  const KEY = 'image-test-key-0123456789';

  /** The code image on a free port with `hostConfig`; its /ready once it answers, and one run's answer. */
  async function codeContainer(hostConfig: Docker.HostConfig): Promise<{ ready: { status: number; body: string }; run: Record<string, unknown> | null }> {
    const port = await freePort();
    const container = await docker.createContainer({
      Image: built.images.code.id,
      Env: [`PITCHEY_PORT=${port}`, 'PITCHEY_LOG_LEVEL=warn', `PITCHEY_API_KEYS=${KEY}:code`],
      Labels: LABEL,
      HostConfig: { NetworkMode: 'host', ...hostConfig },
    });
    try {
      await container.start();
      let ready: { status: number; body: string } | null = null;
      for (let i = 0; i < 80 && ready === null; i++) {
        await sleep(250);
        ready = await fetch(`http://127.0.0.1:${port}/ready`).then(
          async (r) => ({ status: r.status, body: await r.text() }),
          () => null,
        );
      }
      if (ready === null) throw new Error('the code container never answered /ready');
      const res = await fetch(`http://127.0.0.1:${port}/execute`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': KEY },
        body: JSON.stringify({ language: 'python', code: 'import os; print(os.getuid())' }),
      });
      return { ready, run: res.ok ? ((await res.json()) as Record<string, unknown>) : null };
    } finally {
      await container.remove({ force: true });
    }
  }

  it('is not ready, with the reason, without its sandbox privileges: nothing runs unconfined', async () => {
    const { ready, run } = await codeContainer({});
    expect(ready.status).toBe(503);
    expect(ready.body).toMatch(/sandbox/);
    expect(run).toBeNull();
  });

  it('runs programs sandboxed as uid 65534 with exactly CODE_SANDBOX_PRIVILEGES (measured on cgroup v1; skipped on v2)', async (ctx) => {
    if (daemonCgroup === '2') ctx.skip();
    const { ready, run } = await codeContainer(CODE_SANDBOX_PRIVILEGES);
    expect(ready).toMatchObject({ status: 200 });
    expect(run).toMatchObject({ status: 'completed', stdout: '65534\n' });
  });
});

describe('the release', () => {
  it("stages the same content digest twice, which is the images' label", async () => {
    const a = await stageRelease({ projectRoot: PROJECT_ROOT, into: tempDir() });
    const b = await stageRelease({ projectRoot: PROJECT_ROOT, into: tempDir() });
    expect(a.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(b.checksum).toBe(a.checksum);
    expect(a.checksum).toBe(built.result.releaseChecksum);
  });
});

describe('the SBOM', () => {
  const sbom = (role: ImageRole): CdxBom => JSON.parse(readFileSync(imageArtifacts(built.dataDir, built.version, role).sbom, 'utf8')) as CdxBom;

  it("lists the npm packages from the lockfile and the Debian packages of the image's base", () => {
    const bom = sbom('video');
    expect(bom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.5', metadata: { component: { type: 'container', name: 'pitchey/video', version: built.version } } });
    const purls = bom.components.map((c) => c.purl ?? '');
    expect(purls.some((p) => p.startsWith('pkg:npm/fastify@'))).toBe(true);
    expect(purls.some((p) => p.startsWith('pkg:deb/debian/ffmpeg@') && p.endsWith('?arch=amd64'))).toBe(true);
    expect(purls.some((p) => p.startsWith('pkg:deb/debian/nodejs@'))).toBe(true);
    expect(sbom('gateway').components.some((c) => c.name === 'ffmpeg')).toBe(false);
  });
});

describe('the signature', () => {
  const verify = (over: Partial<Parameters<typeof verifyImage>[0]> = {}): ReturnType<typeof verifyImage> =>
    verifyImage({ docker, role: 'ai', version: built.version, dataDir: built.dataDir, trustedKeys: built.trustedKeys, ...over });

  /** A copy of the data dir's image files to tamper with. */
  function copyOfData(): string {
    const dir = tempDir();
    cpSync(built.dataDir, dir, { recursive: true });
    return dir;
  }

  it('verifies for every image built', async () => {
    for (const role of IMAGE_ROLES) {
      const v = await verify({ role });
      expect(v).toMatchObject({ ok: true, image: built.images[role].id });
    }
  });

  it('is refused for an altered statement, another image, a changed SBOM or an unknown key', async () => {
    const altered = copyOfData();
    const sigFile = imageArtifacts(altered, built.version, 'ai').signature;
    const sig = JSON.parse(readFileSync(sigFile, 'utf8'));
    writeFileSync(sigFile, JSON.stringify({ ...sig, statement: { ...sig.statement, releaseChecksum: `sha256:${'0'.repeat(64)}` } }));
    expect(await verify({ dataDir: altered })).toMatchObject({ ok: false, reason: expect.stringMatching(/does not verify/) });

    expect(await verify({ ref: built.images.gateway.id })).toMatchObject({ ok: false, reason: expect.stringMatching(/the image is sha256:\w+ but the signature is for/) });

    const sbomChanged = copyOfData();
    writeFileSync(imageArtifacts(sbomChanged, built.version, 'ai').sbom, '{}');
    expect(await verify({ dataDir: sbomChanged })).toMatchObject({ ok: false, reason: expect.stringMatching(/SBOM .* is not the one signed/) });

    const stranger = join(tempDir(), 'stranger.pub.pem');
    writeFileSync(stranger, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    expect(await verify({ trustedKeys: [stranger] })).toMatchObject({ ok: false, reason: expect.stringMatching(/does not verify against any of the 1 trusted/) });
    expect(await verify({ trustedKeys: [] })).toMatchObject({ ok: false, reason: expect.stringMatching(/no trusted keys/) });
    expect(await verify({ dataDir: tempDir() })).toMatchObject({ ok: false, reason: expect.stringMatching(/no signature file/) });
  });
});

describe('the size budget', () => {
  it('fails the build past it, with the sizes, and leaves no image', async () => {
    const version = `${built.version}-over`;
    await expect(
      buildImages({
        docker,
        projectRoot: PROJECT_ROOT,
        version,
        roles: ['gateway'],
        dataDir: built.dataDir,
        signingKey: null,
        mode: 'test',
        budgetsMb: { gateway: 10 },
      }),
    ).rejects.toThrow(/pitchey\/gateway:\S+ is \d+ MB, over the gateway budget of 10 MB/);
    await expect(docker.getImage(`pitchey/gateway:${version}`).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });
});

it('leaves no container behind', async () => {
  const left = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`io.pitchey.test=${RUN}`] }) });
  expect(left).toEqual([]);
  const readers = await docker.listContainers({ all: true, filters: JSON.stringify({ label: ['io.pitchey.purpose=read-image-path'] }) });
  expect(readers).toEqual([]);
});
