// Every `pitchey` command: its arguments (declared once, for the parser and the help alike) and the
// module that runs it, imported only when it runs — this file loads nothing else, so `pitchey
// --help` and a typo answer before any server, database or service code is read.
import type { Args, CommandDef, OptionDefs } from './args.js';
import { PLATFORM_ROLES, STRATEGIES } from '../kit/roles.js';

/** `pitchey record --format`. */
export const RECORD_FORMATS = ['md', 'json', 'html'] as const;

export interface Command {
  kind: 'command';
  def: CommandDef;
  run(args: Args<OptionDefs>): Promise<void>;
}
export interface Group {
  kind: 'group';
  summary: string;
  subcommands: Record<string, Command>;
  /** Run when the first word names no subcommand (`deploy video …` beside `deploy plan …`). */
  fallback?: Command;
}

function command<O extends OptionDefs>(def: CommandDef<O>, run: (args: Args<O>) => Promise<void>): Command {
  return { kind: 'command', def, run };
}

const JSON_OPTION = { json: { type: 'boolean', help: 'print the result as JSON on stdout, and nothing else there' } } as const;
/** Admin commands reach the running platform's admin API (src/cli/gateway.ts says which one, and how it is found). */
const ADMIN_OPTIONS = {
  gateway: { type: 'string', arg: 'URL', help: 'the gateway to talk to (default: the platform running from PITCHEY_DATA_DIR, else PITCHEY_PORT)' },
  as: { type: 'string', arg: 'NAME', help: 'who is acting, for the audit log (default: $USER)' },
  env: { type: 'string', arg: 'E', help: 'the environment: its gateway and admin key from the environments file; a platform refuses a deployment meant for another' },
  ...JSON_OPTION,
} as const;
const DEPLOY_PLAN_OPTIONS = {
  version: { type: 'string', arg: 'V', required: true, help: 'the release to deploy' },
  strategy: { type: 'string', arg: 'S', choices: STRATEGIES, help: 'canary (default), blue-green or rolling' },
  steps: { type: 'string', arg: '5,25,50,100', help: 'traffic weights, in percent' },
  'step-ms': { type: 'string', arg: 'N', help: 'how long each step runs' },
  'bake-ms': { type: 'string', arg: 'N', help: 'blue-green: how long the new track bakes before the switch' },
  'warmup-ms': { type: 'string', arg: 'N', help: 'how long new instances warm up before their latency is judged' },
  instances: { type: 'string', arg: 'N', help: 'instances of the new version' },
  workers: { type: 'string', arg: 'N', help: '`pitchey worker` processes of the new version (default: as many as stable runs)' },
  'max-surge': { type: 'string', arg: 'N', help: 'rolling: instances started above the count' },
  'max-unavailable': { type: 'string', arg: 'N', help: 'rolling: instances that may be down at once' },
  faults: { type: 'string', arg: 'errors=0.2', help: 'faults injected into the new instances (drills)' },
  order: { type: 'string', arg: 'ai,code;video', help: 'all: the waves, in order (";" between waves, "," within one); services left out are not deployed' },
  ...ADMIN_OPTIONS,
} as const;
const DEPLOY_OPTIONS = {
  ...DEPLOY_PLAN_OPTIONS,
  'plan-hash': { type: 'string', arg: 'H', help: 'refuse unless the plan is exactly the one reviewed (deploy plan prints it)' },
  wait: { type: 'boolean', help: 'follow the deployment to its end (exit 1 unless promoted)' },
} as const;
const ID = ['<deployment>'] as const;

export const DEFS = {
  up: {
    summary: 'the whole platform: gateway on PITCHEY_PORT (default 8080) and every service, supervised; Ctrl-C drains and stops it',
    options: { workers: { type: 'string', arg: 'SERVICE=N,…', help: "`pitchey worker` processes per service (e.g. video=2): stable's workers, which a deployment replaces with its release's" } },
  },
  serve: { summary: 'one role on its home port: video | document | ai | media | code | gateway', positionals: ['<role>'], options: {} },
  worker: {
    summary: "runs only a service's jobs, with no HTTP API; with PITCHEY_JOBS=redis://… it joins the queue from any host",
    positionals: ['<service>'],
    options: { concurrency: { type: 'string', arg: 'N', help: 'jobs at once (1–256; default the service setting)' } },
  },
  health: { summary: 'probe the gateway and every instance; exit 1 if any is unhealthy', options: { gateway: ADMIN_OPTIONS.gateway, ...JSON_OPTION } },
  doctor: { summary: 'system tools, cgroup mode, free disk', options: JSON_OPTION },
  check: {
    summary: "pre-deployment checks (health, capacity, TLS, DNS, backups, CVEs of the release's image, config, alerts, window); exit 1 on any fail",
    options: {
      env: { type: 'string', arg: 'E', help: 'the environment to check (default: this one); with an environments file, also its drift from the one before it' },
      config: { type: 'string', arg: 'FILE', help: 'checks settings (default: <data>/checks.json)' },
      service: { type: 'string', arg: 'S', help: "with --version: the release about to be deployed (its image's CVE report)" },
      version: { type: 'string', arg: 'V', help: 'with --service' },
      schema: { type: 'boolean', help: "print the checks settings file's JSON Schema and do nothing else" },
      ...JSON_OPTION,
    },
  },
  releaseBuild: {
    summary: 'build an immutable release directory under <data>/releases/V',
    options: { version: { type: 'string', arg: 'V', required: true, help: 'the release name' }, ...JSON_OPTION },
  },
  releaseList: { summary: 'releases under the data dir (docker driver: images)', options: JSON_OPTION },
  imageBuild: {
    summary: 'signed container images, one per role',
    options: {
      version: { type: 'string', arg: 'V', help: 'image version (default: from git)' },
      role: { type: 'string', arg: 'R', multiple: true, choices: PLATFORM_ROLES, help: 'only this role (default: every role)' },
      ...JSON_OPTION,
    },
  },
  imageList: { summary: 'every pitchey/* image with its labels and whether its signature verifies', options: JSON_OPTION },
  imageVerify: { summary: "one image's signature", positionals: ['<role>'], options: { version: { type: 'string', arg: 'V', required: true, help: 'image version' }, ...JSON_OPTION } },
  logs: {
    summary: "each instance's last lines, whichever driver runs it",
    positionals: ['<service>'],
    options: {
      tail: { type: 'string', arg: 'N', help: 'lines per instance, 1 to 10000 (default 100)' },
      follow: { type: 'boolean', short: 'f', help: 'keep printing new lines, of instances that start meanwhile too, until Ctrl-C' },
      ...ADMIN_OPTIONS,
    },
  },
  deploy: { summary: 'deploy a release to a service; `all` deploys the services as one release (promoted together, rolled back together)', positionals: ['<service|all>'], options: DEPLOY_OPTIONS },
  deployPlan: { summary: 'the resolved plan and its hash, changing nothing', positionals: ['<service|all>'], options: DEPLOY_PLAN_OPTIONS },
  status: {
    summary: 'deployments in progress, or one (followed live until it ends with --watch)',
    positionals: ['[deployment]'],
    options: { watch: { type: 'boolean', help: 'follow the deployment until it ends' }, ...ADMIN_OPTIONS },
  },
  history: { summary: 'every deployment', options: ADMIN_OPTIONS },
  promote: { summary: 'skip the remaining steps to 100 % now', positionals: ID, options: ADMIN_OPTIONS },
  abort: { summary: 'roll back a live deployment now (a platform release rel-…: every member, reverting promoted ones)', positionals: ID, options: ADMIN_OPTIONS },
  resume: { summary: 'go on after a pause', positionals: ID, options: ADMIN_OPTIONS },
  rollback: {
    summary: 'the previous (or given) version by the fast path; --emergency: all traffic on stable at once',
    positionals: ['<service>'],
    options: {
      emergency: { type: 'boolean', help: 'switch all traffic to stable now and abort live deployments' },
      to: { type: 'string', arg: 'V', help: 'the version to go back to (default: the previous one)' },
      reason: { type: 'string', arg: 'R', help: 'recorded in the audit log' },
      ...ADMIN_OPTIONS,
    },
  },
  approve: {
    summary: "your sign-off with your own key (its holder and role), bound to the deployment's plan hash",
    positionals: ID,
    options: {
      role: { type: 'string', arg: 'R', required: true, help: 'the sign-off role' },
      name: { type: 'string', arg: 'N', help: "who signs: if given, must be the key holder's own name" },
      comment: { type: 'string', arg: 'C', help: 'recorded with the sign-off' },
      ...ADMIN_OPTIONS,
    },
  },
  record: {
    summary: "the deployment's filled-in checklist with evidence (a platform release rel-…: one record, a section per service)",
    positionals: ID,
    options: { format: { type: 'string', arg: 'md|json|html', choices: RECORD_FORMATS, help: 'output format (default md)' }, ...ADMIN_OPTIONS },
  },
  acknowledge: {
    summary: "a person's duty, recorded (stakeholder-notification, change-ticket, …)",
    positionals: ID,
    options: {
      item: { type: 'string', arg: 'I', required: true, help: 'the checklist item' },
      name: { type: 'string', arg: 'N', required: true, help: 'who did it' },
      note: { type: 'string', arg: 'T', help: 'recorded with it' },
      ...ADMIN_OPTIONS,
    },
  },
  audit: { summary: 'the hash-chained audit log, verified (exit 1 if broken)', options: { deployment: { type: 'string', arg: 'ID', help: "only this deployment's events" }, ...ADMIN_OPTIONS } },
  lockStatus: { summary: "the environment's deploy lock", options: ADMIN_OPTIONS },
  lockRelease: { summary: "release the environment's deploy lock", options: ADMIN_OPTIONS },
  smoke: {
    summary: 'one critical journey per service through the gateway; exit 1 on any failure',
    options: {
      target: { type: 'string', arg: 'URL', help: 'the gateway to test (same as --gateway)' },
      gateway: ADMIN_OPTIONS.gateway,
      track: { type: 'string', arg: 'T', help: 'send the journeys to this track (canary, …)' },
      service: { type: 'string', arg: 'S', help: 'only this service' },
      'timeout-ms': { type: 'string', arg: 'N', help: 'per journey (default 120000)' },
      ...JSON_OPTION,
    },
  },
  backupCreate: { summary: "back up the platform's state to <data>/backups/<time>/", options: JSON_OPTION },
  backupVerify: { summary: 'check a backup (default: the newest); exit 1 on any problem', options: { backup: { type: 'string', arg: 'DIR', help: 'the backup to verify' }, ...JSON_OPTION } },
  backupRestore: {
    summary: 'verify, restore into a new or empty directory, re-verify, record the restore test',
    options: {
      backup: { type: 'string', arg: 'DIR', required: true, help: 'the backup to restore' },
      into: { type: 'string', arg: 'DATA_DIR', help: 'where (default: the data dir)' },
      ...JSON_OPTION,
    },
  },
  backupList: { summary: 'backups newest first', options: JSON_OPTION },
  completion: {
    summary: 'a shell completion script: source <(pitchey completion bash) — or zsh, or fish',
    positionals: ['<shell>'],
    options: {},
  },
} as const satisfies Record<string, CommandDef>;

export type ArgsOf<K extends keyof typeof DEFS> = Args<(typeof DEFS)[K]['options']>;

const deployMod = () => import('./deploy.js');
const auditMod = () => import('./audit.js');
const backupMod = () => import('./backup.js');
const imageMod = () => import('./image.js');

export const COMMANDS: Record<string, Command | Group> = {
  up: command(DEFS.up, async (a) => (await import('./up.js')).up(a)),
  serve: command(DEFS.serve, async (a) => (await import('./serve.js')).serve(a)),
  worker: command(DEFS.worker, async (a) => (await import('./worker.js')).worker(a)),
  health: command(DEFS.health, async (a) => (await import('./health.js')).health(a)),
  doctor: command(DEFS.doctor, async (a) => (await import('./doctor.js')).doctor(a)),
  check: command(DEFS.check, async (a) => (await import('./check.js')).check(a)),
  release: {
    kind: 'group',
    summary: 'immutable release directories under the data dir',
    subcommands: { build: command(DEFS.releaseBuild, async (a) => (await auditMod()).releaseBuild(a)), list: command(DEFS.releaseList, async (a) => (await auditMod()).releaseList(a)) },
  },
  image: {
    kind: 'group',
    summary: 'signed container images, one per role',
    subcommands: {
      build: command(DEFS.imageBuild, async (a) => (await imageMod()).imageBuild(a)),
      list: command(DEFS.imageList, async (a) => (await imageMod()).imageList(a)),
      verify: command(DEFS.imageVerify, async (a) => (await imageMod()).imageVerify(a)),
    },
  },
  logs: command(DEFS.logs, async (a) => (await import('./logs.js')).logs(a)),
  deploy: {
    kind: 'group',
    summary: DEFS.deploy.summary,
    subcommands: { plan: command(DEFS.deployPlan, async (a) => (await deployMod()).plan(a)) },
    fallback: command(DEFS.deploy, async (a) => (await deployMod()).deploy(a)),
  },
  status: command(DEFS.status, async (a) => (await deployMod()).status(a)),
  history: command(DEFS.history, async (a) => (await deployMod()).history(a)),
  promote: command(DEFS.promote, async (a) => (await deployMod()).operatorVerb('promote', a)),
  abort: command(DEFS.abort, async (a) => (await deployMod()).operatorVerb('abort', a)),
  resume: command(DEFS.resume, async (a) => (await deployMod()).operatorVerb('resume', a)),
  rollback: command(DEFS.rollback, async (a) => (await deployMod()).rollback(a)),
  approve: command(DEFS.approve, async (a) => (await deployMod()).approve(a)),
  record: command(DEFS.record, async (a) => (await auditMod()).record(a)),
  acknowledge: command(DEFS.acknowledge, async (a) => (await auditMod()).acknowledge(a)),
  audit: command(DEFS.audit, async (a) => (await auditMod()).audit(a)),
  lock: {
    kind: 'group',
    summary: "the environment's deploy lock",
    subcommands: { status: command(DEFS.lockStatus, async (a) => (await auditMod()).lockStatus(a)), release: command(DEFS.lockRelease, async (a) => (await auditMod()).lockRelease(a)) },
  },
  completion: command(DEFS.completion, async (a) => console.log((await import('./completion.js')).completionScript(a.positionals[0]).trimEnd())),
  smoke: command(DEFS.smoke, async (a) => (await import('./smoke.js')).smoke(a)),
  backup: {
    kind: 'group',
    summary: "backups of the platform's own state",
    subcommands: {
      create: command(DEFS.backupCreate, async (a) => (await backupMod()).create(a)),
      verify: command(DEFS.backupVerify, async (a) => (await backupMod()).verify(a)),
      restore: command(DEFS.backupRestore, async (a) => (await backupMod()).restore(a)),
      list: command(DEFS.backupList, async (a) => (await backupMod()).list(a)),
    },
  },
};
