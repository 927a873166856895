// `pitchey check [--env E] [--json] [--config FILE] [--service S --version V]` (or `--schema`: the
// settings file's JSON Schema): the checklist's machine-checkable pre-deployment items, as a table or
// JSON; exit 1 when any check fails (waived ones show as warn). --service/--version name the release
// about to be deployed: its image's Trivy report is the one the vulnerability check reads (docker driver).
import { checksConfigJsonSchema, defaultChecksConfigPath, readChecksConfig, resolveTarget, runChecks, type Evidence } from '../deploy/checks/index.js';
import { remoteDrift } from '../deploy/adapters/environment-reader.js';
import { EnvironmentsError, readEnvironments } from '../deploy/environments.js';
import { ConfigError, loadConfig } from '../kit/light.js';
import type { ArgsOf } from './commands.js';
import { emit } from './output.js';
import { formatTable } from './table.js';
import { CheckFailed, UsageError } from './usage.js';

const row = (e: Evidence): string[] => [e.check, e.waiver === undefined ? e.status : `${e.status} (waived by ${e.waiver.approver})`, e.observed, e.threshold, e.source];

export async function check(a: ArgsOf<'check'>): Promise<void> {
  const args = a.values;
  // The settings file's JSON Schema, for editors (docs/checks-config.schema.json is this output).
  if (args.schema === true) {
    console.log(JSON.stringify(checksConfigJsonSchema(), null, 2));
    return;
  }
  if ((args.service === undefined) !== (args.version === undefined)) throw new UsageError('check: --service and --version name the release being deployed: give both or neither');
  const target = resolveTarget(process.env, args.env);
  const config = readChecksConfig(args.config ?? defaultChecksConfigPath(target.dataDir), args.config !== undefined);
  const release = args.service === undefined || args.version === undefined ? undefined : { service: args.service, version: args.version, docker: target.docker };
  const drift = driftFromFile(target.env);
  const result = await runChecks({ config, env: target.env, dataDir: target.dataDir, processEnv: process.env, now: new Date(), target: release, drift });
  emit(args.json, { env: target.env, passed: result.passed, evidence: result.evidence }, () => formatTable(['check', 'status', 'observed', 'threshold', 'source'], result.evidence.map(row)));
  const failed = result.evidence.filter((e) => e.status === 'fail');
  if (failed.length > 0) throw new CheckFailed(`pre-deployment checks failed: ${[...new Set(failed.map((e) => e.check))].join(', ')}`);
}

/** With an environments file: the environment against the one before it in the chain, both read through their gateways. */
function driftFromFile(env: string): ReturnType<typeof remoteDrift> {
  try {
    const envs = readEnvironments(environmentsFile());
    return envs === null ? undefined : remoteDrift(envs, env);
  } catch (err) {
    if (err instanceof EnvironmentsError) throw new UsageError(`the environments file is invalid: ${err.message}`);
    throw err;
  }
}

/** The setting, even when the rest of the configuration does not validate (that is the config-valid check's to report). */
function environmentsFile(): string | null {
  try {
    return loadConfig().environmentsFile;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return process.env.PITCHEY_ENVIRONMENTS_FILE || null;
  }
}
