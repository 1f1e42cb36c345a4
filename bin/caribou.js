#!/usr/bin/env node
// Runs the TypeScript CLI directly (no build step needed after `npm install`).
// the AWS SDK's notice about future Node versions is noise for CLI users
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs');
require('../src/cli/main.ts').main(process.argv);
