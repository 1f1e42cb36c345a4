// serverless-esbuild plugins for the control-plane Lambda bundle (serverless.yml custom.esbuild.plugins).
//
// The Lambdas never analyse or bundle a workflow's source (the CLI's deploy does), but modules
// they share with the deployer import the TypeScript compiler and esbuild. Bundled, the compiler
// alone made the zip 6 MB (10.6 MB of JavaScript); here both resolve to a stand-in whose every
// property is a function that throws a worded error, so the zip stays lean and a code path that
// did reach them would say why instead of failing obscurely.
'use strict';

const ABSENT = /^(typescript|esbuild)$/;

module.exports = [
  {
    name: 'caribou-no-build-tools',
    setup(build) {
      build.onResolve({ filter: ABSENT }, (args) => ({ path: args.path, namespace: 'caribou-absent' }));
      build.onLoad({ filter: /.*/, namespace: 'caribou-absent' }, (args) => ({
        loader: 'js',
        contents:
          `const name = ${JSON.stringify(args.path)};\n` +
          'const absent = (k) => () => { throw new Error(`${name}.${String(k)}: the control-plane Lambda does not include ${name}; analysing and bundling workflows runs in the CLI (caribou deploy)`); };\n' +
          'module.exports = new Proxy({}, { get: (_, k) => (typeof k === "symbol" || k === "__esModule" || k === "default" || k === "then" ? undefined : absent(k)) });\n',
      }));
    },
  },
];
