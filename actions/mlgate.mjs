#!/usr/bin/env node
// Inside this repository the CLI runs from TypeScript sources through tsx, so it needs no build step;
// the installable package runs the bundle of the same entry (dist/cli/mlgate.js, actions/build-cli-package.ts).
import { register } from 'tsx/esm/api';

register();
await import('./cli-main.ts');
