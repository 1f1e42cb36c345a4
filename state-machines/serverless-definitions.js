// Serverless Framework adapter: hands the ASL files in this folder to serverless-step-functions
// with each Task's `${taskName}` placeholder replaced by the ARN of the Lambda of that name
// (Fn::GetAtt, which the plugin turns into a Fn::Sub). The JSON files stay the only definition;
// the local cloud reads them unchanged and binds the same names to the same handlers.
'use strict';
const fs = require('fs');
const path = require('path');

function bind(node) {
  if (Array.isArray(node)) return node.map(bind);
  if (!node || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    const m = k === 'Resource' && typeof v === 'string' ? /^\$\{([A-Za-z0-9_]+)\}$/.exec(v) : null;
    out[k] = m ? { 'Fn::GetAtt': [m[1], 'Arn'] } : bind(v);
  }
  return out;
}

function load(file) {
  return bind(JSON.parse(fs.readFileSync(path.join(__dirname, file), 'utf8')));
}

module.exports.caribouCycle = () => load('caribou-cycle.asl.json');
module.exports.bind = bind;
