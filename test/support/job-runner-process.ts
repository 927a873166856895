// A job runner in a process of its own, for tests that SIGKILL it mid-job. Its one job type writes
// a partial output, then runs a tool (through the kit's process runner) that would outlast the
// test: the tool writes its pid to `tool.pid` in the job's work dir.
// argv: <job store: SQLite path or redis:// URL> <work root> <lease ms> [Redis namespace]
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createJobRunner, createRedisJobBackend, createSqliteJobBackend } from '../../src/jobs/index.js';
import { runProcess } from '../../src/kit/process-runner.js';

const [store = '', workRoot = '', leaseMs = '15000', namespace = 'crash'] = process.argv.slice(2);
const runner = createJobRunner({
  backend: store.startsWith('redis://') ? createRedisJobBackend({ url: store, namespace }) : createSqliteJobBackend({ path: store }),
  workRoot,
  concurrency: 1,
  pollMs: 20,
  leaseMs: Number(leaseMs),
  handlers: {
    encode: async ({ workDir, signal }) => {
      await writeFile(join(workDir, 'partial.out'), 'half an encode');
      await runProcess('sh', ['-c', 'echo "$$" > tool.pid.tmp && mv tool.pid.tmp tool.pid && exec sleep 60'], { cwd: workDir, signal, timeoutMs: 120_000 });
      return { result: 'finished by the process that was to be killed' };
    },
  },
});
await runner.start();
