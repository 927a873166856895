// TypeScript type errors for /validate, with a deadline: the compiler runs synchronously, so it
// lives in a worker thread that is terminated when a check runs past the deadline (a type that
// never finishes instantiating cannot hold the service). The worker is reused between checks so
// the standard library's declarations are parsed once; checks take turns.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';

export interface TypeDiagnostic {
  message: string;
  line: number | null;
  column: number | null;
  code: number;
}
export type TypeCheck = { done: true; diagnostics: TypeDiagnostic[] } | { done: false; reason: string };

const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const ts = require(workerData.typescript);
const options = { strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler, types: workerData.typeRoots ? ['node'] : [], typeRoots: workerData.typeRoots ? [workerData.typeRoots] : [],
  lib: ['lib.es2022.d.ts'] };
const cache = new Map();
const host = ts.createCompilerHost(options);
const baseGet = host.getSourceFile.bind(host);
let main = null;
host.getSourceFile = (name, lang, onError) => {
  if (name === '/sandbox/main.ts') return main;
  if (!cache.has(name)) cache.set(name, baseGet(name, lang, onError));
  return cache.get(name);
};
const baseExists = host.fileExists.bind(host);
host.fileExists = (name) => name === '/sandbox/main.ts' || baseExists(name);
function check(code) {
  main = ts.createSourceFile('/sandbox/main.ts', code, ts.ScriptTarget.ES2022, true);
  const program = ts.createProgram(['/sandbox/main.ts'], options, host);
  return ts.getPreEmitDiagnostics(program).filter((d) => !d.file || d.file.fileName === '/sandbox/main.ts').map((d) => {
    const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : null;
    return { message: ts.flattenDiagnosticMessageText(d.messageText, '\n'), line: pos ? pos.line + 1 : null, column: pos ? pos.character + 1 : null, code: d.code };
  });
}
check('export {};'); // parse the standard declarations once, before the first deadline starts
parentPort.postMessage({ ready: true });
parentPort.on('message', ({ id, code }) => parentPort.postMessage({ id, diagnostics: check(code) }));
`;

function workerData(): { typescript: string; typeRoots: string | null } {
  const req = createRequire(import.meta.url);
  const typescript = req.resolve('typescript');
  let typeRoots: string | null = null;
  try {
    typeRoots = dirname(dirname(req.resolve('@types/node/package.json')));
  } catch {
    /* no Node types installed: globals like require are unknown */
  }
  return { typescript, typeRoots: typeRoots === null ? null : join(typeRoots) };
}

export class TypeChecker {
  private worker: { w: Worker; ready: Promise<boolean> } | null = null;
  private warmTimer: NodeJS.Timeout | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private seq = 0;

  constructor(
    private readonly deadlineMs: number,
    private readonly memoryMb = 512,
  ) {}

  check(code: string): Promise<TypeCheck> {
    const next = this.queue.then(() => this.run(code));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** A worker and when it has loaded the compiler (false: it died first). */
  private spawn(): { w: Worker; ready: Promise<boolean> } {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: workerData(), resourceLimits: { maxOldGenerationSizeMb: this.memoryMb } });
    w.unref();
    const forget = (): void => {
      if (this.worker?.w === w) this.worker = null;
    };
    w.on('error', forget);
    w.on('exit', forget);
    const ready = new Promise<boolean>((resolve) => {
      w.once('message', () => resolve(true));
      w.once('exit', () => resolve(false));
      w.once('error', () => resolve(false));
    });
    return { w, ready };
  }

  /**
   * Loads the compiler after `delayMs` so the first request does not pay for it. Not at once: the
   * compiler and the standard declarations take 1–3 s of CPU, which `pitchey up` would take from the
   * five services starting beside it; a check asked for sooner loads it itself (its deadline starts
   * once the compiler is loaded either way).
   */
  warmAfter(delayMs: number): void {
    this.warmTimer = setTimeout(() => {
      this.warmTimer = null;
      this.worker ??= this.spawn();
    }, delayMs).unref();
  }

  private async run(code: string): Promise<TypeCheck> {
    const current = (this.worker ??= this.spawn());
    if (!(await current.ready)) return { done: false, reason: 'the type checker could not start' };
    const worker = current.w;
    const id = ++this.seq;
    return new Promise<TypeCheck>((resolve) => {
      const finish = (result: TypeCheck): void => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        resolve(result);
      };
      const onMessage = (m: { id: number; diagnostics: TypeDiagnostic[] }): void => {
        if (m.id === id) finish({ done: true, diagnostics: m.diagnostics });
      };
      const onExit = (): void => finish({ done: false, reason: 'the type checker stopped (out of memory or crashed)' });
      const timer = setTimeout(() => {
        this.worker = null;
        void worker.terminate();
        finish({ done: false, reason: `type checking did not finish within ${this.deadlineMs} ms` });
      }, this.deadlineMs);
      worker.on('message', onMessage);
      worker.once('exit', onExit);
      worker.postMessage({ id, code });
    });
  }

  async close(): Promise<void> {
    if (this.warmTimer !== null) clearTimeout(this.warmTimer);
    const current = this.worker;
    this.worker = null;
    if (current) await current.w.terminate();
  }
}
