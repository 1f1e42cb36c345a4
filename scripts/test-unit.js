#!/usr/bin/env node
// The fast lane (`npm run test:unit`): every suite of pure logic and in-memory ports, under a
// minute on 2 cores. A suite is left to the full `npm test` when its source reaches for a real
// part: the local cloud (dynalite, the ASL runner), moto, serverless/cfn-lint, a spawned CLI or
// npm, a browser. The rule reads the source, so a new suite lands in the right lane by itself.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { ROOT, testFiles, filesMatching } = require('./test-files');

const REAL_PARTS =
  /openLocalCloud|openCloud|useMoto|motoCloud|cfn-lint|serverless|spawn|execFile|runCli|quickstart\(|chromium|npm pack|LocalStateMachines|dynalite|deployWorkflow|TestWorkflowEnvironment/;

const slow = new Set(filesMatching(REAL_PARTS));
const files = testFiles().filter((f) => !slow.has(f));
console.log(`unit lane: ${files.length} of ${files.length + slow.size} suites (the rest need the local cloud, moto, sls or a browser: npm test)`);
const mocha = path.join(ROOT, 'node_modules', '.bin', 'mocha');
const r = spawnSync(mocha, files, { cwd: ROOT, stdio: 'inherit' });
process.exitCode = r.status ?? 1;
