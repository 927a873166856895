#!/usr/bin/env node
// Writes ops/prometheus/slo.yml from the objectives in src/deploy/engine/slo.ts. Reads the build
// (`npm run docs:slo` builds first), so the rules are what the shipped code declares.
import { readFileSync, writeFileSync } from 'node:fs';
import { renderSloRules } from '../dist/deploy/slo-alerts.js';

const file = new URL('../ops/prometheus/slo.yml', import.meta.url);
const before = (() => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
})();
const after = renderSloRules();
if (after !== before) writeFileSync(file, after);
console.log(`ops/prometheus/slo.yml: ${after === before ? 'already up to date' : 'rewritten'}`);
