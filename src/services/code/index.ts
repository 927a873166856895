// Code executor (:8085, /api/code/): Python, JavaScript, TypeScript and SQL run in a bubblewrap +
// cgroup sandbox (src/sandbox), validated by each language's parser, and deployable as versioned
// functions. When the sandbox cannot be built on this host, every run is refused with 503 and the
// service is not ready.
import { type ServiceManifest, type Static } from '../../kit/index.js';
import { createSandbox } from '../../sandbox/index.js';
import { LanguagesAnswer, SecurityPoliciesAnswer } from './answers.js';
import { STATUSES } from './execute.js';
import { FunctionStore } from './functions.js';
import { runtimeVersions } from './languages.js';
import { RunPool } from './pool.js';
import { registerCodeRoutes } from './routes.js';
import { MAX_CODE_CHARS } from './source-files.js';
import { TypeChecker } from './ts-check.js';

/** When the type checker loads its compiler unasked: after the start-up, before most first requests. */
const TYPECHECK_WARM_DELAY_MS = 5_000;

export const codeService: ServiceManifest = {
  name: 'code',
  title: 'Pitchey code executor',
  description: 'Sandboxed code execution and deployable functions.',
  requiredTools: ['bwrap'],
  async routes(app, ctx) {
    const { config } = ctx;
    const sandbox = await createSandbox({ cgroupParent: config.codeCgroup, workParent: config.codeWorkDir });
    if (!sandbox.info.available) app.log.warn({ reason: sandbox.info.reason }, 'code sandbox unavailable: every run will be refused with 503');
    // An executor that cannot execute is not ready: a gateway or a deployment must not count on it.
    ctx.addReadinessCheck({
      name: 'sandbox',
      check: () => (sandbox.info.available ? { ok: true, detail: `bubblewrap, cgroups ${sandbox.info.cgroups}` } : { ok: false, detail: sandbox.info.reason ?? 'unavailable' }),
    });
    const pool = new RunPool(config.codeConcurrency, config.codeQueue);
    const types = new TypeChecker(config.codeTypecheckMs);
    const functions = new FunctionStore(ctx.dataDir);
    const executor = { sandbox, pool, defaults: config.codeLimits, maxima: config.codeMaxLimits };
    app.addHook('onClose', async () => {
      await types.close();
      functions.close();
      await sandbox.close();
    });
    types.warmAfter(TYPECHECK_WARM_DELAY_MS);

    const limits = { defaults: config.codeLimits, maxima: config.codeMaxLimits, code_chars: MAX_CODE_CHARS };
    app.get(
      '/languages',
      { config: { auth: 'public' }, schema: { summary: 'Languages, runtime versions and limits', doc: { ok: { json: LanguagesAnswer } } } },
      async (): Promise<Static<typeof LanguagesAnswer>> => {
        const v = await runtimeVersions();
        const available = sandbox.info.available;
        const reason = available ? {} : { reason: sandbox.info.reason };
        return {
          languages: [
            { name: 'python', runtime: 'CPython (Debian /usr/bin/python3)', version: v.python, available: available && v.python !== null, ...reason },
            { name: 'javascript', runtime: 'Node.js', version: v.node, available, ...reason },
            {
              name: 'typescript',
              runtime: `Node.js ${v.node}, transpiled by esbuild ${v.esbuild}; type-checked by TypeScript ${v.typescript} in /validate`,
              version: v.typescript,
              available,
              ...reason,
            },
            { name: 'sql', runtime: 'SQLite in memory (Python sqlite3 module)', version: v.sqlite, available: available && v.sqlite !== null, ...reason },
          ],
          limits,
          statuses: [...STATUSES],
        };
      },
    );
    app.get(
      '/security-policies',
      { config: { auth: 'public' }, schema: { summary: 'The sandbox policy this host enforces', doc: { ok: { json: SecurityPoliciesAnswer } } } },
      (): Static<typeof SecurityPoliciesAnswer> => ({
        sandbox: { tool: 'bubblewrap', available: sandbox.info.available, reason: sandbox.info.reason, cgroups: sandbox.info.cgroups, run_as_uid: sandbox.info.uid },
        namespaces: ['user (no new user namespaces inside)', 'pid', 'network (none: no interfaces but loopback)', 'ipc', 'uts', 'mount', 'cgroup'],
        filesystem:
          'read-only /usr (and /bin /lib as the host links them), /etc/ld.so.cache and /etc/localtime only; private /proc /dev; tmpfs /tmp and /work (the working dir, capped at the memory limit); the code read-only at /code',
        environment: 'cleared: PATH, HOME, LANG, TMPDIR only',
        limits: {
          ...limits,
          enforcement: {
            cpu_ms: "the cgroup's CPU time over every process, polled every 25 ms; RLIMIT_CPU per process as a backstop",
            wall_ms: 'timer; the whole process tree is killed',
            memory_mb: "cgroup memory limit (no swap); node's heap is set to 75 % of it",
            output_kb: 'stdout and stderr each; the run is killed once either exceeds it',
            processes: "cgroup pids limit (threads count; the runtime's own threads are added on top)",
            files: 'RLIMIT_FSIZE = the memory limit, RLIMIT_NOFILE 256, no core dumps',
          },
        },
        concurrency: pool.stats(),
        validation:
          'Python: ast; JavaScript: acorn; TypeScript: the TypeScript compiler (deadline ' + config.codeTypecheckMs + ' ms) and acorn over esbuild output; SQL: SQLite prepare under an authorizer',
        sql: 'ATTACH/DETACH, load_extension and PRAGMA writes are refused by the authorizer',
      }),
    );

    registerCodeRoutes(app, { executor, validator: { sandbox, pool, types }, functions });
  },
};
