#!/usr/bin/env node
// The `pitchey` command's entry. A role's process (`up`, `serve <role>`, `worker <service>`) runs
// from its bundle when the build made one (bundle-loader.ts): the same command line, loaded in a
// fraction of the time. Every other command, and a role with no current bundle, runs from the
// modules (cli.ts).
import { bundleRole, runBundle } from './bundle-loader.js';

const role = bundleRole(process.argv.slice(2));
if (role === null || !runBundle(role)) await import('./cli.js');
