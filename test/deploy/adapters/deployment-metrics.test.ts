// The controller's deployment metrics: a canary driven through the real engine, stored in a real
// controller database, its weights applied to a real gateway pool, shows in the exposition with
// its labels, follows the deployment's phase, counts each verdict once, and passes promtool.
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { latestPerService, registerDeploymentMetrics, type DeploymentMetrics } from '../../../src/deploy/adapters/deployment-metrics.js';
import { advance, createPlan, startDeployment, type DeploymentState, type EngineInput } from '../../../src/deploy/engine/index.js';
import { openControllerDb, readDeployments, writeDeployment, type ControllerDb } from '../../../src/deploy/store.js';
import { InstancePool } from '../../../src/gateway/index.js';
import { lintMetrics } from '../../ops/ops-files.js';
import { makeTempDir } from '../../helpers.js';

const tmp = makeTempDir();
let dbs = 0;
afterAll(() => tmp.remove());

function setUp(): { db: ControllerDb; pool: InstancePool; registry: Registry; metrics: DeploymentMetrics } {
  const db = openControllerDb(`${tmp.dir}/controller-${++dbs}.db`);
  const pool = new InstancePool('video');
  const registry = new Registry();
  const metrics = registerDeploymentMetrics(registry, { latest: () => latestPerService(readDeployments(db, { env: 'test' })), weights: () => pool.weights() });
  return { db, pool, registry, metrics };
}

describe('deployment metrics', () => {
  it('read the deployments once per scrape, and afresh for the next one', async () => {
    const { db, pool } = setUp();
    const source = { latest: vi.fn(() => latestPerService(readDeployments(db, { env: 'test' }))), weights: () => pool.weights() };
    const counted = new Registry();
    registerDeploymentMetrics(counted, source);
    await counted.metrics();
    expect(source.latest).toHaveBeenCalledTimes(1);
    const plan = createPlan({ id: 'd0', service: 'video', strategy: 'canary', fromVersion: 'v1', toVersion: 'v2', steps: [10, 100] });
    writeDeployment(db, { id: 'd0', env: 'test', service: 'video', author: 'alice', state: startDeployment(plan, 1_000).state });
    expect(await counted.metrics()).toContain('deployment="d0"');
    expect(source.latest).toHaveBeenCalledTimes(2);
    db.close();
  });

  it('show the live canary with its labels, step and weight, and follow its phase', async () => {
    const { db, pool, registry, metrics } = setUp();
    const plan = createPlan({ id: 'd1', service: 'video', strategy: 'canary', fromVersion: 'v1', toVersion: 'v2', steps: [10, 50, 100] });
    let state: DeploymentState = startDeployment(plan, 1_000).state;
    // As the controller does: store the state, tell the metrics, carry out the weights.
    const step = (input: EngineInput, now: number): void => {
      const before = state;
      const result = advance(state, input, now);
      state = result.state;
      const row = { id: 'd1', env: 'test', service: 'video', author: 'alice', state };
      writeDeployment(db, row);
      metrics.stateChanged({ ...row, createdAt: 1_000, updatedAt: now }, before);
      for (const a of result.actions) if (a.kind === 'setWeights') pool.setWeights(a.weights);
    };
    writeDeployment(db, { id: 'd1', env: 'test', service: 'video', author: 'alice', state });
    expect(await registry.metrics()).toContain('pitchey_deployment_info{service="video",deployment="d1",strategy="canary",version="v2",phase="starting"} 1');

    step({ kind: 'instancesStarted' }, 2_000);
    const progressing = await registry.metrics();
    expect(progressing).toContain('pitchey_deployment_info{service="video",deployment="d1",strategy="canary",version="v2",phase="progressing"} 1');
    expect(progressing).toContain('pitchey_deployment_phase{service="video",phase="progressing"} 1');
    expect(progressing).toContain('pitchey_deployment_phase{service="video",phase="starting"} 0');
    expect(progressing).toContain('pitchey_deployment_step{service="video"} 1');
    expect(progressing).toContain('pitchey_deployment_canary_weight{service="video"} 10');
    expect(lintMetrics(progressing)).toBe('');

    step({ kind: 'abort', reason: 'operator' }, 3_000);
    const after = await registry.metrics();
    expect(state.phase).toBe('rolled-back');
    // The old phase's info series is gone: one series per service, its phase current.
    expect(after).not.toContain('phase="progressing"} 1');
    expect(after).toContain(`pitchey_deployment_phase{service="video",phase="rolled-back"} 1`);
    expect(after).toContain('pitchey_deployment_canary_weight{service="video"} 0');
    db.close();
  });

  it('count each verdict once, when the analysis reaches it', async () => {
    const { db, registry, metrics } = setUp();
    const plan = createPlan({ id: 'd2', service: 'video', strategy: 'canary', fromVersion: 'v1', toVersion: 'v2' });
    const base = startDeployment(plan, 1_000).state;
    const assessed = (at: number, verdict: 'pass' | 'fail'): DeploymentState => ({
      ...base,
      assessments: [{ ruleId: 'error-rate', verdict, reason: '', at, evidence: { observed: 0, threshold: 1, samples: { candidate: 1, baseline: 1 } } }],
    });
    const row = (state: DeploymentState) => ({ id: 'd2', env: 'test', service: 'video', author: 'alice', state, createdAt: 1_000, updatedAt: 1_000 });
    metrics.stateChanged(row(assessed(2_000, 'pass')), base);
    metrics.stateChanged(row(assessed(2_000, 'pass')), assessed(2_000, 'pass')); // the same assessment, stored again (a phase change)
    metrics.stateChanged(row(assessed(3_000, 'fail')), assessed(2_000, 'pass'));
    const text = await registry.metrics();
    expect(text).toContain('pitchey_analysis_verdicts_total{service="video",rule="error-rate",verdict="pass"} 1');
    expect(text).toContain('pitchey_analysis_verdicts_total{service="video",rule="error-rate",verdict="fail"} 1');
    db.close();
  });
});
