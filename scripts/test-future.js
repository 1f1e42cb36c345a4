#!/usr/bin/env node
// The calendar guard: runs every suite that reads the wall clock or talks to an AWS emulator
// again with the whole process tree's clock (node and the moto_server it starts) a year
// ahead, through libfaketime. A test that pins a date near "today" passes on the day it was
// written and fails a few weeks later (CloudWatch drops events older than 14 days); this
// run catches it the day it is written.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { ROOT, filesMatching } = require('./test-files');

const SHIFT = process.env.CARIBOU_FUTURE_SHIFT ?? '+365d';
// what makes a suite date-sensitive: the real clock, or a tool with a calendar of its own
// (moto drops CloudWatch events older than 14 days; cfn-lint knows runtime deprecation dates)
const SENSITIVE = /Date\.now\(\)|new Date\(\)|useMoto|motoCloud|cfn-lint/;

function main() {
  const which = spawnSync('sh', ['-c', 'command -v faketime'], { encoding: 'utf8' });
  if (which.status !== 0) {
    const msg = 'the calendar guard needs faketime (Debian: apt-get install -y faketime); .ci/run installs it';
    if (process.env.CI) {
      console.error(`error: ${msg}`);
      return 1;
    }
    console.error(`warning: skipped — ${msg}`);
    return 0;
  }
  const files = filesMatching(SENSITIVE);
  if (files.length === 0) {
    console.error('error: no date-sensitive suite found; the guard would test nothing');
    return 1;
  }
  console.log(`calendar guard: ${files.length} date-sensitive suites with the clock ${SHIFT}`);
  const mocha = path.join(ROOT, 'node_modules', '.bin', 'mocha');
  const r = spawnSync('faketime', ['-f', SHIFT, mocha, ...files], { cwd: ROOT, stdio: 'inherit' });
  return r.status ?? 1;
}

process.exitCode = main();
