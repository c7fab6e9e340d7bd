#!/usr/bin/env node
// Entry point of the `fence-lab` command: registers tsx so the lab's TypeScript sources
// (and users' plug-in variants) load directly, then hands over to the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
