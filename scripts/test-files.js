'use strict';
// The suite's test files, for the scripts that run a chosen part of it (test-future, test-unit).
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');

/** Every tests/**\/*.test.ts below `dir` (fixtures excluded), sorted, relative to the repository. */
function testFiles(dir = path.join(ROOT, 'tests')) {
  const walk = (d) =>
    fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(d, e.name);
      if (e.isDirectory()) return e.name === 'fixtures' ? [] : walk(p);
      return e.name.endsWith('.test.ts') ? [p] : [];
    });
  return walk(dir)
    .sort()
    .map((f) => path.relative(ROOT, f));
}

/** The test files whose source matches `pattern`. */
function filesMatching(pattern) {
  return testFiles().filter((f) => pattern.test(fs.readFileSync(path.join(ROOT, f), 'utf8')));
}

module.exports = { ROOT, testFiles, filesMatching };
