#!/usr/bin/env node
// The CLI runs from TypeScript sources through tsx, so the repository needs no build step to be used.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2));
