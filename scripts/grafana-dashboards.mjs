#!/usr/bin/env node
// Writes ops/grafana/dashboards/*.json from src/deploy/dashboards (the metric catalogue and the
// engine's thresholds). Reads the build (`npm run docs:dashboards` builds first), so the dashboards
// are what the shipped code declares; a test checks the checked-in files match.
import { readFileSync, writeFileSync } from 'node:fs';
import { renderDashboards } from '../dist/deploy/dashboards/index.js';

for (const [name, text] of Object.entries(renderDashboards())) {
  const file = new URL(`../ops/grafana/dashboards/${name}`, import.meta.url);
  let before = null;
  try {
    before = readFileSync(file, 'utf8');
  } catch {
    // a new dashboard
  }
  if (text !== before) writeFileSync(file, text);
  console.log(`ops/grafana/dashboards/${name}: ${text === before ? 'already up to date' : 'rewritten'}`);
}
