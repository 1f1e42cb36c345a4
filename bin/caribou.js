#!/usr/bin/env node
// the AWS SDK's notice about future Node versions is noise for CLI users
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const fs = require('fs');
const path = require('path');
// In a checkout the TypeScript source runs through tsx (no build step); an installed package
// runs its compiled dist/ and never loads tsx.
const source = path.join(__dirname, '..', 'src', 'cli', 'main.ts');
if (fs.existsSync(source)) {
  require('tsx/cjs');
  require(source).main(process.argv);
} else {
  require('../dist/src/cli/main.js').main(process.argv);
}
