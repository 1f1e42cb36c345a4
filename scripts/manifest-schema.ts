/** Writes docs/manifest.schema.json from the manifest's codecs (`npm run schema`). */
import * as fs from 'fs';
import * as path from 'path';
import { manifestJsonSchema } from '../src/model/manifest-schema';

const out = path.resolve(__dirname, '..', 'docs', 'manifest.schema.json');
fs.writeFileSync(out, JSON.stringify(manifestJsonSchema(), null, 2) + '\n');
console.log(`wrote ${path.relative(process.cwd(), out)}`);
