#!/usr/bin/env node
// Rewrites README.md's settings tables from the definitions in src/kit/settings/. Reads the build
// (`npm run docs:settings` builds first), so the tables are what the shipped code declares.
import { readFileSync, writeFileSync } from 'node:fs';
import { renderSettingsTable, replaceSettingsBlock } from '../dist/kit/settings/docs.js';

const readme = new URL('../README.md', import.meta.url);
const before = readFileSync(readme, 'utf8');
const after = replaceSettingsBlock(before, renderSettingsTable());
if (after !== before) writeFileSync(readme, after);
console.log(`README.md settings tables: ${after === before ? 'already up to date' : 'rewritten'}`);
