#!/usr/bin/env node
// The `pitchey` command: picks the command group and turns every failure into one exit code. Each
// group's module is imported only when it runs, so `pitchey health` loads no server, database or service.
import { EXIT, UsageError, exitCodeOf } from './usage.js';

const USAGE = `usage: pitchey <command>
  up                         the whole platform: gateway on :8080 and every service, supervised
  serve <role>               one role on its home port: video | document | ai | media | code | gateway
  health [--json] [--gateway URL]   probe the gateway and every instance; exit 1 if any is unhealthy
  doctor [--json]            system tools, cgroup mode, free disk
<<<<<<< HEAD
  check [--env E] [--json] [--config FILE]   pre-deployment checks (health, capacity, TLS, DNS, backups, CVEs, config, alerts, window); exit 1 on any fail
  release build --version V | release list      immutable release directories under the data dir (docker driver: list shows images)
=======
  check [--env E] [--json] [--config FILE] [--service S --version V]   pre-deployment checks (health, capacity, TLS, DNS, backups, CVEs of the
         release's image, config, alerts, window); exit 1 on any fail
  release build --version V | release list      immutable release directories under the data dir
>>>>>>> main
  image build [--version V] [--role R …] | image list | image verify <role> --version V   signed container images, one per role
  logs <service> [--tail N]  each instance's last lines, whichever driver runs it
  deploy <service|all> --version V [--strategy canary|blue-green|rolling] [--env E] [--steps 5,25,50,100]
         [--step-ms N] [--bake-ms N] [--instances N] [--faults errors=0.2] [--wait]
  status [id [--watch]] | history   deployments in progress (one followed live until it ends), or all of them
  promote <id> | abort <id> | resume <id>   skip to 100 % now, roll back now, or go on after a pause
  smoke [--target URL] [--track T] [--service S] [--json]   one critical journey per service through the gateway; exit 1 on any failure
  rollback <service> --emergency [--reason R] | rollback <service> [--to V] [--reason R]
  approve <deployment> --role R --name N [--comment C]   a sign-off, bound to the deployment's plan hash
  record <deployment> [--format md|json|html]   the deployment's filled-in checklist with evidence
  acknowledge <deployment> --item I --name N [--note T]   a person's duty, recorded (stakeholder-notification, change-ticket, …)
  audit [--deployment id] [--json]   the hash-chained audit log, verified
  lock status|release        the environment's deploy lock
  backup create | verify [--backup DIR] | restore --backup DIR [--into DATA_DIR] | list   the platform's own state
  (admin commands reach the running platform: --gateway URL, PITCHEY_ADMIN_KEY, --as NAME)`;

type Command = (argv: string[]) => void | Promise<void>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  up: async () => {
    const { up } = await import('./up.js');
    return () => up();
  },
  serve: async () => (await import('./serve.js')).serve,
  health: async () => (await import('./health.js')).health,
  doctor: async () => (await import('./doctor.js')).doctor,
  check: async () => (await import('./check.js')).check,
  release: async () => (await import('./audit.js')).release,
  image: async () => (await import('./image.js')).image,
  audit: async () => (await import('./audit.js')).audit,
  lock: async () => (await import('./audit.js')).lock,
  record: async () => (await import('./audit.js')).record,
  acknowledge: async () => (await import('./audit.js')).acknowledge,
  deploy: async () => (await import('./deploy.js')).deploy,
  status: async () => (await import('./deploy.js')).status,
  history: async () => (await import('./deploy.js')).history,
  rollback: async () => (await import('./deploy.js')).rollback,
  approve: async () => (await import('./deploy.js')).approve,
  promote: async () => (await import('./deploy.js')).promote,
  abort: async () => (await import('./deploy.js')).abort,
  resume: async () => (await import('./deploy.js')).resume,
  backup: async () => (await import('./backup.js')).backup,
  smoke: async () => (await import('./smoke.js')).smoke,
  logs: async () => (await import('./logs.js')).logs,
  worker: async () => (await import('./worker.js')).worker,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === 'help') {
    console.log(USAGE);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (load === undefined) throw new UsageError(`unknown command "${command}"`);
  await (
    await load()
  )(rest);
  return EXIT.ok;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    const code = exitCodeOf(err);
    if (code === null) {
      console.error(err);
      process.exit(EXIT.internal);
    }
    console.error(`pitchey: ${(err as Error).message}${err instanceof UsageError ? `\n${USAGE}` : ''}`);
    process.exit(code);
  },
);
