#!/usr/bin/env node
// Runs the TypeScript CLI directly (no build step needed after `npm install`).
require('tsx/cjs');
require('../src/cli/main.ts').main(process.argv);
