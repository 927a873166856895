// `npm run build`'s last step (scripts/build.mjs): one CommonJS bundle per process role in dist/bundle/, so a
// service, the gateway and `pitchey up` start from one file instead of resolving, reading and
// linking hundreds of modules (dist/cli/main.js picks the bundle; src/cli/bundle-loader.ts loads it
// as a compiled script). Each bundle is the whole CLI with the other roles' code cut off: a dynamic
// import of another command, service or the gateway stays an import of the unbundled dist/ file,
// never taken by that role. Native modules and packages that find their own files by path stay
// external (node_modules, as before).
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
const OUT = join(DIST, 'bundle');

/**
 * Loaded from node_modules at run time: native addons (better-sqlite3, isolated-vm), packages that
 * read their own files through __dirname or spawn their own worker files (pdfkit's fonts and colour
 * profile, swagger-ui's static files, pino's transports, dockerode's ssh), and the TypeScript
 * compiler (9 MB, loaded only on a code check).
 */
const EXTERNAL = ['better-sqlite3', 'isolated-vm', 'typescript', 'pdfkit', '@fastify/swagger-ui', 'pino', 'dockerode'];

/** What each bundle keeps of the modules the CLI imports on demand: its own command(s) and role. */
const SERVICE = (name) => ['cli/serve.js', 'cli/worker.js', `services/${name}/index.js`];
const ROLE_MODULES = {
  video: SERVICE('video'),
  document: SERVICE('document'),
  ai: SERVICE('ai'),
  media: SERVICE('media'),
  code: SERVICE('code'),
  gateway: ['cli/serve.js', 'gateway/index.js'],
  up: ['cli/up.js'],
};
/** The on-demand modules that belong to one command or role (what a bundle may cut). */
const ROLE_SPECIFIC = /^(cli\/[^/]+\.js|services\/[^/]+\/index\.js|gateway\/index\.js)$/;

const toPosix = (p) => p.split('\\').join('/');

/** import.meta.url in a dist/ module becomes that module's own URL, as if it were not bundled. */
const ownUrl = (file) => `require("node:url").pathToFileURL(require("node:path").join(__dirname, ${JSON.stringify(toPosix(relative(OUT, file)))})).href`;

function rolePlugin(role) {
  const keep = new Set(ROLE_MODULES[role]);
  return {
    name: 'pitchey-role',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (args.kind !== 'dynamic-import' || !args.importer.startsWith(DIST)) return undefined;
        const target = join(dirname(args.importer), args.path);
        const inDist = toPosix(relative(DIST, target));
        if (!ROLE_SPECIFIC.test(inDist) || keep.has(inDist)) return undefined;
        return { path: `./${toPosix(relative(OUT, target))}`, external: true };
      });
      b.onLoad({ filter: new RegExp(`^${DIST.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/.*\\.js$`) }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        return { contents: source.includes('import.meta.url') ? source.replaceAll('import.meta.url', ownUrl(args.path)) : source, loader: 'js' };
      });
    },
  };
}

/**
 * What a bundle import()s from outside it goes through the loader's hook (IMPORT_HOOK in
 * src/cli/bundle-loader.ts), not a bare import(): the loader runs the bundle as a vm.Script with
 * V8's code cache, and on Node 20 code restored from a cache has lost the dynamic-import callback
 * that import() needs. Required as-is (no loader), a bundle falls back to import().
 */
const IMPORT_HOOK = 'globalThis[Symbol.for("pitchey.import")]';
const HOOK_BANNER = `var __pitcheyImport=${IMPORT_HOOK}??((specifier)=>import(specifier));`;

/** Each import() of an external path becomes a call of the hook; every one must be found. */
function throughHook(outfile, metafile) {
  const external = new Set(
    Object.values(metafile.outputs)
      .flatMap((o) => o.imports)
      .filter((i) => i.kind === 'dynamic-import' && i.external)
      .map((i) => i.path),
  );
  let code = readFileSync(outfile, 'utf8');
  for (const path of external) {
    const call = `import(${JSON.stringify(path)})`;
    if (!code.includes(call)) throw new Error(`bundle ${outfile}: no ${call} to send through the loader's hook`);
    code = code.replaceAll(call, `__pitcheyImport(${JSON.stringify(path)})`);
  }
  writeFileSync(outfile, code);
}

async function bundle(role) {
  const outfile = join(OUT, `${role}.cjs`);
  const { metafile } = await build({
    entryPoints: [join(DIST, 'cli', 'cli.js')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: EXTERNAL,
    plugins: [rolePlugin(role)],
    // Whitespace and comments only (names stay): a smaller file to read and parse, the same code.
    minifyWhitespace: true,
    charset: 'ascii',
    logLevel: 'error',
    legalComments: 'none',
    banner: { js: HOOK_BANNER },
    metafile: true,
  });
  throughHook(outfile, metafile);
  return outfile;
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const roles = Object.keys(ROLE_MODULES);
await Promise.all(roles.map(bundle));
// Made after the bundles, from the tsc output (this script runs after tsc).
const { BUNDLE_ENTRY, STAMP_FILE, bundleFile, sha1 } = await import('../dist/cli/bundle-loader.js');
const bundles = {};
for (const role of roles) bundles[role] = { bytes: statSync(bundleFile(role)).size };
// Written last: the loader uses the bundles only while the entry in dist/ is the one they were
// made from (a later build whose entry differs sends every role back to the unbundled modules).
writeFileSync(STAMP_FILE, `${JSON.stringify({ entry: sha1(readFileSync(BUNDLE_ENTRY)), bundles }, null, 2)}\n`);
