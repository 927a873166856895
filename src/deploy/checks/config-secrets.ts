// Configuration and secrets: required variables are set, the target configuration validates, and
// nothing the kit refuses in production (weak or default secrets, fault injection) is present.
// Only variable names and the kit's messages are reported; secret values are scrubbed from both.
import { ConfigError, loadConfig } from '../../kit/index.js';
import { createEvidence } from './create-evidence.js';
import type { Evidence } from './evidence.js';

export interface ConfigCheckOptions {
  processEnv: NodeJS.ProcessEnv;
  deployEnv: string;
  requiredEnv: string[];
  now: Date;
}

const SECRET_NAME = /KEY|SECRET|TOKEN|PASS|CREDENTIAL/i;

/** Replaces every secret-looking value (and each part of a list of keys) with `[redacted]`. */
export function createRedactor(env: NodeJS.ProcessEnv): (text: string) => string {
  const values = Object.entries(env)
    .filter(([name, v]) => SECRET_NAME.test(name) && v !== undefined && v !== '')
    .flatMap(([, v]) => [v as string, ...(v as string).split(/[,:|+\s]/)])
    .filter((v) => v.length >= 4)
    .sort((a, b) => b.length - a.length);
  return (text) => values.reduce((t, v) => t.split(v).join('[redacted]'), text);
}

function issuesOf(load: () => unknown): string[] {
  try {
    load();
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
}

export function checkConfigSecrets(options: ConfigCheckOptions): Evidence[] {
  const { processEnv, now } = options;
  const redact = createRedactor(processEnv);
  const target = { ...processEnv, PITCHEY_DEPLOY_ENV: options.deployEnv };
  const missing = options.requiredEnv.filter((name) => (processEnv[name] ?? '').trim() === '');
  const invalid = issuesOf(() => loadConfig(target)).map(redact);
  const production = invalid.length > 0 ? [] : issuesOf(() => loadConfig({ ...target, PITCHEY_ENV: 'production' })).map(redact);
  return [
    createEvidence(
      'config-env',
      {
        status: missing.length === 0 ? 'pass' : 'fail',
        observed: missing.length === 0 ? `${options.requiredEnv.length}/${options.requiredEnv.length} set` : `missing: ${missing.join(', ')}`,
        threshold: options.requiredEnv.length === 0 ? 'none required (checks config requiredEnv)' : `set: ${options.requiredEnv.join(', ')}`,
        source: 'process environment (names only)',
      },
      now,
    ),
    createEvidence(
      'config-valid',
      {
        status: invalid.length === 0 ? 'pass' : 'fail',
        observed: invalid.length === 0 ? 'valid' : `${invalid.length} issue(s): ${invalid.join('; ')}`,
        threshold: 'loadConfig accepts every setting',
        source: `loadConfig (PITCHEY_DEPLOY_ENV=${options.deployEnv})`,
        details: { issues: invalid },
      },
      now,
    ),
    createEvidence(
      'config-secrets',
      {
        status: invalid.length === 0 && production.length === 0 ? 'pass' : 'fail',
        observed: invalid.length > 0 ? 'not judged: the configuration does not validate' : production.length === 0 ? 'no weak or default secrets' : production.join('; '),
        threshold: 'what production mode refuses: none',
        source: 'loadConfig with PITCHEY_ENV=production',
        details: { issues: production },
      },
      now,
    ),
  ];
}
