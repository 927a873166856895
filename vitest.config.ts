// Two tiers (`npm run test:unit`, `npm run test:e2e`; `npm test` runs both after lint, typecheck
// and build). unit: pure and in-process tests, each file 6 s or less (the tier: ~40 s). e2e: test/e2e/ (real
// `pitchey up` process trees) and the files below, which run heavy real tools for 6–40 s each.
import { configDefaults, defineConfig } from 'vitest/config';

/** Measured per file in one `npm test` (2 shared cores): each of these took 6.4–40 s; every unit file 6.0 s or less. */
const HEAVY = [
  'test/services/code/{pool,execute,escape,validate}.test.ts', // bubblewrap sandboxes, the TypeScript checker
  'test/services/media/{live,live-srt,hls}.test.ts', // ffmpeg publishers and ladders
  'test/services/video/{process,analyze}.test.ts', // ffmpeg transcodes
  'test/services/document/{render-pool,extract,pdf-ops}.test.ts', // worker threads from dist/, tesseract, qpdf/poppler
  'test/jobs/{crash-recovery,redis-durability}.test.ts', // runners SIGKILLed mid-job, redis-server killed and restarted
  'test/kit/create-worker.test.ts', // two worker processes on one Redis, one SIGKILLed, jobs re-run after the 15 s lease
  'test/gateway/shared-state.test.ts', // three gateways on one redis-server, which is frozen (1 s command bounds) and restarted
  'test/gateway/nginx-plane.test.ts', // a real nginx with the Lua module in front of the gateway, its stats read back each second
  'test/ops/slo-promtool.test.ts', // promtool evaluates the burn-rate rules over 3 days of series (~30 s)
  'test/services/answer-schemas.test.ts', // five services in process: a sandboxed run, an ffmpeg clip, the AI models (~14 s)
  'test/cli/bundle-loader.test.ts', // the CLI in four processes, and the seven role bundles compiled (~8 s)
  'test/{gateway/openapi,gateway/docs-chromium,ops/metrics-lint,ops/dashboards-prometheus}.test.ts', // all five services in process behind a gateway (~18 s), Chromium, Prometheus
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: e2e suites start real process trees, and timing-sensitive unit tests share the
    // machine with them in `npm test`, so files run one at a time.
    fileParallelism: false,
    projects: [
      // unit: in-process files, two at a time, sharing one module cache per worker (isolate: false):
      // importing fastify and the kit once per worker instead of once per file takes the tier from
      // ~160 s to ~40 s here. A unit file must leave no global state behind (env, timers, servers).
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/e2e/**', 'test/containers/**', ...HEAVY],
          isolate: false,
          fileParallelism: true,
          maxWorkers: 2,
        },
      },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts', ...HEAVY] } },
      // Images built from Debian packages and run by a private dockerd the tier starts and stops.
      { extends: true, test: { name: 'containers', include: ['test/containers/**/*.test.ts'], globalSetup: ['test/containers/global-setup.ts'], testTimeout: 120_000, hookTimeout: 900_000 } },
    ],
  },
});
