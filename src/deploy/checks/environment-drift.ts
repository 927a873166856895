// "Staging matches production" (checklist §5): this environment's effective configuration against
// the one before it in the promotion chain. Every difference is listed; one the allow-list does
// not accept fails the check.
import type { EffectiveConfig } from '../engine/index.js';
import { diffEffectiveConfig } from '../engine/index.js';
import { createEvidence } from './create-evidence.js';
import type { Evidence } from './evidence.js';

export interface DriftOptions {
  /** This environment's configuration: its own (the controller) or read through its gateway (`pitchey check --env`). */
  here: () => EffectiveConfig | Promise<EffectiveConfig>;
  /** The environment compared with, and how to read its configuration. */
  there: { env: string; source: string; read: () => Promise<EffectiveConfig> };
  allow: readonly string[];
  /** The service being deployed: its own version is expected to differ. */
  deploying?: string | undefined;
  now: Date;
}

const MAX_LISTED = 20;

export async function checkDrift(o: DriftOptions): Promise<Evidence> {
  const [here, there] = await Promise.all([o.here(), o.there.read()]);
  const differences = diffEffectiveConfig({ here, there, allow: o.allow, deploying: o.deploying });
  const drift = differences.filter((d) => !d.allowed);
  const listed = drift.slice(0, MAX_LISTED).map((d) => `${d.path}: ${here.env} ${d.here ?? '(unset)'}, ${o.there.env} ${d.there ?? '(unset)'}`);
  const more = drift.length > MAX_LISTED ? `; and ${drift.length - MAX_LISTED} more` : '';
  return createEvidence(
    'environment-drift',
    {
      status: drift.length === 0 ? 'pass' : 'fail',
      observed:
        drift.length === 0
          ? `matches ${o.there.env} (${differences.length} allowed difference${differences.length === 1 ? '' : 's'})`
          : `${drift.length} difference${drift.length === 1 ? '' : 's'} from ${o.there.env}: ${listed.join('; ')}${more}`,
      threshold: `same settings, service versions and checks settings as ${o.there.env}, except ${o.allow.join(', ')}`,
      source: o.there.source,
      details: { against: o.there.env, differences },
    },
    o.now,
  );
}
