// Escape and abuse attempts, each contained with its expected status; afterwards no stray process,
// no leftover run folder or cgroup, and the host files the programs aimed at are untouched.
import { createServer, type Server } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET, leftoverCgroups, leftovers, startCodeService, strayProcesses, type CodeTestService } from './support.js';

let s: CodeTestService;
let server: Server;
let port = 0;
let connections = 0;
const hostnameBefore = readFileSync('/etc/hostname', 'utf8');
/** This checkout, wherever it is cloned: the service's own code must not be visible to a program. */
const CHECKOUT = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');

beforeAll(async () => {
  s = await startCodeService();
  server = createServer((sock) => {
    connections++;
    sock.end('hello');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  expect(strayProcesses(s.workDir)).toEqual([]);
  expect(leftoverCgroups()).toEqual([]);
  expect(leftovers(s.workDir).filter((f) => f.includes('/'))).toEqual([]);
  await s.stop();
  expect(readFileSync('/etc/hostname', 'utf8')).toBe(hostnameBefore);
});

const py = (code: string, extra: Record<string, unknown> = {}) => s.post('/execute', { language: 'python', code, ...extra });
const js = (code: string, extra: Record<string, unknown> = {}) => s.post('/execute', { language: 'javascript', code, ...extra });

describe('resource abuse', () => {
  it('fork bomb: held by the process limit, ended at the time limit', async () => {
    const r = await py('import os\nwhile True:\n    try: os.fork()\n    except OSError: pass', { limits: { cpu_ms: 1000, wall_ms: 4000, processes: 16 } });
    expect(r.body).toMatchObject({ status: 'time_limit_exceeded' });
    expect(strayProcesses()).toEqual([]);
  });
  it('the process limit holds: forks beyond it fail with EAGAIN', async () => {
    const r = await py(
      'import os, time\nmade = 0\nfor _ in range(50):\n    try:\n        if os.fork() == 0:\n            time.sleep(5); os._exit(0)\n        made += 1\n    except OSError as e:\n        print(made, e.strerror); break',
      { limits: { processes: 5, wall_ms: 10_000 } },
    );
    expect(r.body).toMatchObject({ status: 'completed', stdout: '5 Resource temporarily unavailable\n' });
  });
  it('a shell fork bomb through subprocess: same', async () => {
    const r = await py("import subprocess\nsubprocess.run(['/bin/sh', '-c', 'b() { b | b & }; b'])\nimport time\ntime.sleep(60)", { limits: { cpu_ms: 1000, wall_ms: 3000, processes: 16 } });
    expect(r.body).toMatchObject({ status: 'time_limit_exceeded' });
  });
  it('a background process that outlives the program is killed with the run', async () => {
    const r = await js("const { spawn } = require('child_process'); spawn('/usr/bin/sleep', ['30'], { detached: true, stdio: 'ignore' }).unref(); console.log('left')", {
      limits: { wall_ms: 10_000 },
    });
    expect(r.body).toMatchObject({ status: 'completed', stdout: 'left\n' });
    expect(r.body.wall_time_ms as number).toBeLessThan(10_000);
    const daemon = await py("import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        time.sleep(30)\n    os._exit(0)\nprint('parent done')");
    expect(daemon.body).toMatchObject({ status: 'completed', stdout: 'parent done\n' });
    expect(strayProcesses()).toEqual([]);
  });
});

describe('reading what is not theirs', () => {
  it("/etc/shadow, the service's code and data dirs are not there", async () => {
    const paths = ['/etc/shadow', '/etc/passwd', process.cwd(), s.dataDir, '/root', CHECKOUT, '/home'];
    const r = await py('import os, json\nprint(json.dumps({p: os.path.exists(p) for p in inputs}))', { inputs: paths });
    expect(r.body.status).toBe('completed');
    expect(JSON.parse(r.body.stdout as string)).toEqual(Object.fromEntries(paths.map((p) => [p, false])));
  });
  it("the service's environment (a secret) is not visible, in the program or in /proc", async () => {
    const r = await py("import os, glob\nenvs = ''\nfor f in glob.glob('/proc/*/environ'):\n    try: envs += open(f).read()\n    except OSError: pass\nprint(sorted(os.environ), envs)");
    expect(r.body.status).toBe('completed');
    expect(r.body.stdout).not.toContain(SECRET);
    expect(r.body.stdout).toMatch(/^\['HOME', 'LANG', 'PATH', 'PWD', 'TMPDIR'\]/);
    const node = await js('console.log(JSON.stringify(process.env))');
    expect(node.body.stdout).not.toContain(SECRET);
  });
  it("/proc shows the sandbox's own processes, with a clean environment and no host path", async () => {
    const probe =
      "import os, json\nout = {}\nfor p in ['/proc/1/environ', '/proc/self/environ', '/proc/1/cmdline']:\n    out[p] = open(p, 'rb').read().decode('utf-8', 'replace')\nfor p in ['/proc/self/cwd', '/proc/1/cwd', '/proc/1/root']:\n    out[p] = os.readlink(p)\nout['pids'] = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())\nprint(json.dumps(out))";
    const r = await py(probe);
    expect(r.body.status).toBe('completed');
    const seen = JSON.parse(r.body.stdout as string) as Record<string, string> & { pids: number[] };
    expect(seen['/proc/self/cwd']).toBe('/work');
    expect(seen['/proc/1/cwd']).toBe('/work');
    expect(seen['/proc/1/root']).toBe('/');
    expect(seen.pids.length).toBeLessThanOrEqual(3); // bubblewrap's init, the program (and its launcher)
    const hostPaths = [process.cwd(), s.workDir, s.dataDir, '/root'];
    for (const [file, text] of Object.entries(seen).filter(([k]) => k.startsWith('/proc/'))) {
      for (const host of hostPaths) expect(text, `${file} names ${host}`).not.toContain(host);
    }
    expect(seen['/proc/1/environ']).toBe('');
  });
  it('holds no descriptor of ours: not the control channel, not the run folder', async () => {
    const listing = 'import os\nfds = {}\nfor f in os.listdir("/proc/self/fd"):\n    try: fds[f] = os.readlink("/proc/self/fd/" + f)\n    except OSError: pass\nprint(fds)';
    const r = await py(listing);
    expect(r.body.status).toBe('completed');
    const fds = Object.entries(JSON.parse((r.body.stdout as string).replaceAll("'", '"')) as Record<string, string>).filter(([fd]) => Number(fd) > 2);
    expect(fds.filter(([, target]) => target.startsWith('socket:') || target.startsWith(s.workDir))).toEqual([]);
  });
  it('runs as an unprivileged uid with no capabilities', async () => {
    const r = await py("import os\nprint(os.getuid(), [l for l in open('/proc/self/status') if l.startswith('CapEff')][0].split()[1])");
    expect(r.body.stdout).toBe('65534 0000000000000000\n');
  });
});

describe('writing where it must not', () => {
  it('the system, /code and / are read-only; only /work and /tmp (private) are writable', async () => {
    const marker = `pitchey-escape-${process.pid}`;
    const r = await py(
      `import os\nout = {}\nfor p in ['/usr/${marker}', '/code/${marker}', '/${marker}', '/etc/${marker}', '/work/${marker}', '/tmp/${marker}']:\n    try:\n        open(p, 'w').write('x'); out[p] = 'written'\n    except OSError as e:\n        out[p] = e.strerror\nprint(out)`,
    );
    expect(r.body.status).toBe('completed');
    const out = r.body.stdout as string;
    expect(out).toContain(`'/work/${marker}': 'written'`);
    expect(out).toContain(`'/tmp/${marker}': 'written'`);
    for (const p of ['usr', 'code', '', 'etc']) expect(out).not.toContain(`'/${p ? `${p}/` : ''}${marker}': 'written'`);
    expect(existsSync(`/tmp/${marker}`)).toBe(false);
    expect(existsSync(`/usr/${marker}`)).toBe(false);
  });
  it('a symlink planted to a host file is never followed by the service', async () => {
    const r = await py(
      "import os\nos.symlink('/etc/hostname', '/work/out.txt')\nos.symlink('/etc/hostname', '/work/main.py')\ntry:\n    os.symlink('/etc/hostname', '/code/planted')\nexcept OSError as e:\n    print(e.strerror)",
    );
    expect(r.body).toMatchObject({ status: 'completed', stdout: 'Read-only file system\n' });
    expect(readFileSync('/etc/hostname', 'utf8')).toBe(hostnameBefore);
    expect(leftovers(s.workDir).filter((f) => f.includes('/'))).toEqual([]);
  });
});

describe('network and signals', () => {
  it('cannot connect to a loopback port the host opened', async () => {
    const r = await py(`import socket\ntry:\n    socket.create_connection(('127.0.0.1', ${port}), timeout=2).recv(5)\n    print('connected')\nexcept OSError as e:\n    print('refused', e.errno)`);
    expect(r.body.status).toBe('completed');
    expect(r.body.stdout).toMatch(/^refused/);
    expect(connections).toBe(0);
  });
  it('cannot resolve names', async () => {
    const r = await js("require('dns').lookup('example.com', (err) => console.log(err ? err.code : 'resolved'))");
    expect(r.body.stdout).toMatch(/^E(AI_AGAIN|NOTFOUND|CONNREFUSED)/);
  });
  it('cannot signal its parent, the service or anything outside its PID space', async () => {
    const r = await py(
      `import os, signal\nfor pid in [os.getppid(), 1, ${process.pid}, ${process.ppid}]:\n    try:\n        os.kill(pid, signal.SIGKILL); print(pid, 'sent')\n    except OSError as e:\n        print(pid, e.strerror)`,
    );
    const lines = (r.body.stdout as string).trim().split('\n');
    expect(lines.slice(2)).toEqual([`${process.pid} No such process`, `${process.ppid} No such process`]);
    // The service is alive and serves the next run.
    expect((await py('print("still here")')).body).toMatchObject({ status: 'completed', stdout: 'still here\n' });
  });
});
