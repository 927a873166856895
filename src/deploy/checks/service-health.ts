// Service health: the gateway and every service instance asked `/ready` at its own address (the
// running platform's run state like `pitchey health`, else each role at its home port).
import { probeReady, type HealthTarget } from '../../kit/light.js';
import { createEvidence } from './create-evidence.js';
import type { Evidence } from './evidence.js';

export { readHealthTargets, type HealthTarget } from '../../kit/light.js';
interface Probe extends HealthTarget {
  ready: boolean;
  detail: string;
}

async function probe(t: HealthTarget, timeoutMs: number): Promise<Probe> {
  const { ready, detail } = await probeReady(t.url, { timeoutMs });
  return { ...t, ready, detail };
}

export async function checkServiceHealth(options: { targets: HealthTarget[]; source: string; timeoutMs: number; now: Date }): Promise<Evidence> {
  const probes = await Promise.all(options.targets.map((t) => probe(t, options.timeoutMs)));
  const notReady = probes.filter((p) => !p.ready);
  return createEvidence(
    'service-health',
    {
      status: probes.length > 0 && notReady.length === 0 ? 'pass' : 'fail',
      observed:
        notReady.length === 0
          ? `${probes.length}/${probes.length} ready`
          : `${probes.length - notReady.length}/${probes.length} ready; not ready: ${notReady.map((p) => `${p.name} (${p.detail})`).join(', ')}`,
      threshold: 'every target answers GET /ready with 200',
      source: options.source,
      details: { targets: probes },
    },
    options.now,
  );
}
