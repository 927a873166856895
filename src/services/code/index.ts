// Code executor (:8085, /api/code/): sandboxed Python, JavaScript, TypeScript and SQL.
// This build reports the runtimes found and the sandbox this machine can provide; execution
// arrives with its issue and will refuse (503) whenever the sandbox cannot be built.
import { cgroupMode, detectTools, type ServiceManifest } from '../../kit/index.js';

const LIMITS = { wall_ms: 30_000, memory_mb: 256, stdout_kb: 1024, stderr_kb: 1024, code_chars: 50_000 };

async function languages(): Promise<Array<{ name: string; runtime: string; version: string | null; available: boolean; reason?: string }>> {
  const [python] = await detectTools(['python3']);
  const { default: Database } = await import('better-sqlite3');
  const sqlite = new Database(':memory:');
  const sqliteVersion = (sqlite.prepare('select sqlite_version() as v').get() as { v: string }).v;
  sqlite.close();
  return [
    { name: 'python', runtime: 'CPython', version: python?.version ?? null, available: python?.present ?? false, ...(python?.present ? {} : { reason: 'python3 is not installed' }) },
    { name: 'javascript', runtime: 'Node.js', version: process.versions.node, available: true },
    { name: 'typescript', runtime: 'Node.js + esbuild', version: null, available: false, reason: 'no TypeScript transpiler in this build yet' },
    { name: 'sql', runtime: 'SQLite (in memory)', version: sqliteVersion, available: true },
  ];
}

export const codeService: ServiceManifest = {
  name: 'code',
  title: 'Pitchey code executor',
  description: 'Sandboxed code execution and deployable functions.',
  homePort: 8085,
  requiredTools: ['bwrap'],
  routes(app) {
    app.get('/languages', { config: { auth: 'public' }, schema: { summary: 'Languages, runtime versions and limits' } }, async () => ({ languages: await languages(), limits: LIMITS }));
    app.get('/security-policies', { config: { auth: 'public' }, schema: { summary: 'The sandbox policy this machine can enforce' } }, async () => {
      const [bwrap] = await detectTools(['bwrap']);
      return {
        sandbox: { tool: 'bubblewrap', version: bwrap?.version ?? null, available: bwrap?.present ?? false },
        cgroups: cgroupMode(),
        network: 'none',
        filesystem: 'read-only system, private /tmp /proc /dev, fresh folder per run',
        limits: LIMITS,
      };
    });
  },
};
