// `pitchey check [--env E] [--json] [--config FILE] [--service S --version V]` (or `--schema`: the
// settings file's JSON Schema): the checklist's machine-checkable pre-deployment items, as a table or
// JSON; exit 1 when any check fails (waived ones show as warn). --service/--version name the release
// about to be deployed: its image's Trivy report is the one the vulnerability check reads (docker driver).
import { checksConfigJsonSchema, defaultChecksConfigPath, readChecksConfig, resolveTarget, runChecks, type Evidence } from '../deploy/checks/index.js';
import { formatTable } from './table.js';
import { CheckFailed, UsageError } from './usage.js';

interface CheckArgs {
  env: string | undefined;
  json: boolean;
  configFile: string | undefined;
  service: string | undefined;
  version: string | undefined;
}

const VALUED = { '--env': 'env', '--config': 'configFile', '--service': 'service', '--version': 'version' } as const;

function parseArgs(argv: string[]): CheckArgs {
  const args: CheckArgs = { env: undefined, json: false, configFile: undefined, service: undefined, version: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--json') {
      args.json = true;
      continue;
    }
    if (!(a in VALUED)) throw new UsageError(`check: unknown argument "${a}"`);
    const value = argv[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`check: ${a} needs a value`);
    args[VALUED[a as keyof typeof VALUED]] = value;
  }
  if ((args.service === undefined) !== (args.version === undefined)) throw new UsageError('check: --service and --version name the release being deployed: give both or neither');
  return args;
}

const row = (e: Evidence): string[] => [e.check, e.waiver === undefined ? e.status : `${e.status} (waived by ${e.waiver.approver})`, e.observed, e.threshold, e.source];

export async function check(argv: string[]): Promise<void> {
  // The settings file's JSON Schema, for editors (docs/checks-config.schema.json is this output).
  if (argv[0] === '--schema') {
    console.log(JSON.stringify(checksConfigJsonSchema(), null, 2));
    return;
  }
  const args = parseArgs(argv);
  const target = resolveTarget(process.env, args.env);
  const config = readChecksConfig(args.configFile ?? defaultChecksConfigPath(target.dataDir), args.configFile !== undefined);
  const release = args.service === undefined || args.version === undefined ? undefined : { service: args.service, version: args.version, docker: target.docker };
  const result = await runChecks({ config, env: target.env, dataDir: target.dataDir, processEnv: process.env, now: new Date(), target: release });
  if (args.json) console.log(JSON.stringify({ env: target.env, passed: result.passed, evidence: result.evidence }, null, 2));
  else console.log(formatTable(['check', 'status', 'observed', 'threshold', 'source'], result.evidence.map(row)));
  const failed = result.evidence.filter((e) => e.status === 'fail');
  if (failed.length > 0) throw new CheckFailed(`pre-deployment checks failed: ${[...new Set(failed.map((e) => e.check))].join(', ')}`);
}
