// Local sentiment: documents/s in-process (our pipeline: sentence boundaries, negation, sentiment)
// beside wink-nlp's full default pipeline (POS, NER, …) as the baseline, both in this run; then
// POST /classify over HTTP (`pitchey serve ai`) beside GET /health on the same instance (the
// floor of the HTTP stack): requests/s and p99. Targets: ≥ 5,000 docs/s, ≥ 2,000 req/s.
import autocannon from 'autocannon';
import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import { sentiment } from '../dist/services/ai/local/nlp.js';
import { KEY, freePort, report, setting, startRole, stop, tempDir, waitReady } from './lib.mjs';

const SECONDS = setting('BENCH_SECONDS', 10, 1);
const WARM_SECONDS = setting('BENCH_WARM_SECONDS', 2, 1);
const IN_PROCESS_MS = setting('BENCH_IN_PROCESS_MS', 3_000, 300);
const WARM_DOCS = setting('BENCH_WARM_DOCS', 2_000, 200);
const DOCS = [
  'I love this product, it works great and I am very happy with it.',
  'This is terrible. It broke on the first day and support never answered.',
  'The meeting has been moved to Tuesday afternoon in the main office.',
  'Not bad at all, although the battery could last a little longer.',
  'Absolutely wonderful service! The staff were friendly and quick.',
  'I am disappointed; the package arrived late and the box was damaged.',
];

function docsPerSecond(fn) {
  for (let i = 0; i < WARM_DOCS; i++) fn(DOCS[i % DOCS.length]); // warm-up
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < IN_PROCESS_MS) {
    for (let i = 0; i < 100; i++) fn(DOCS[(n + i) % DOCS.length]);
    n += 100;
  }
  return n / ((performance.now() - start) / 1000);
}

const full = winkNLP(model);
const ours = docsPerSecond((t) => sentiment(t));
const baseline = docsPerSecond((t) => full.readDoc(t).out(full.its.sentiment));
console.log('in-process sentiment, short English documents, one core');
console.log(`ours (sbd+negation+sentiment)   ${Math.round(ours).toString().padStart(7)} docs/s   target ≥ 5,000`);
console.log(`baseline (wink full pipeline)   ${Math.round(baseline).toString().padStart(7)} docs/s   ours ${(ours / baseline).toFixed(2)}× baseline`);
report({ name: 'sentiment in-process, ours vs wink full pipeline', ours, baseline, unit: 'docs/s', better: 'higher' });

function load(opts) {
  return new Promise((resolve, reject) => autocannon({ connections: 32, duration: SECONDS, pipelining: 1, ...opts }, (err, r) => (err ? reject(err) : resolve(r))));
}

const data = tempDir('pitchey-bench-ai-');
const port = await freePort();
const svc = startRole('ai', { PITCHEY_DATA_DIR: data.dir, PITCHEY_PORT: String(port), PITCHEY_RATE_LIMIT: 'false' });
try {
  const base = `http://127.0.0.1:${port}`;
  await waitReady(base);
  let i = 0;
  const classify = {
    url: `${base}/classify`,
    method: 'POST',
    headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ text: DOCS[i++ % DOCS.length] }) }) }],
  };
  const health = { url: `${base}/health` };
  const results = [];
  for (const [name, opts] of [
    ['POST /classify (sentiment)', classify],
    ['GET /health (HTTP floor)', health],
  ]) {
    await load({ ...opts, duration: WARM_SECONDS }); // warm-up
    const r = await load(opts);
    results.push({ name, rps: r.requests.average, p99: r.latency.p99, errors: r.errors + r.non2xx });
  }
  console.log(`\nover HTTP: pitchey serve ai, 32 connections, ${SECONDS} s each, load generator on the same 2 cores`);
  for (const r of results) console.log(`${r.name.padEnd(28)} ${Math.round(r.rps).toString().padStart(6)} req/s  p99 ${String(r.p99).padStart(4)} ms  errors ${r.errors}`);
  console.log(`classify is ${(results[0].rps / results[1].rps).toFixed(2)}× the HTTP floor; target ≥ 2,000 req/s`);
  report({ name: 'POST /classify vs GET /health (HTTP floor)', ours: results[0].rps, baseline: results[1].rps, unit: 'req/s', better: 'higher' });
} finally {
  await stop(svc);
  data.remove();
}
