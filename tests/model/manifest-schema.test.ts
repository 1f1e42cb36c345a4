import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { scaffoldWorkflow } from '../../src/cli/commands/new_workflow';
import { manifestFieldPaths, manifestJsonSchema } from '../../src/model/manifest-schema';

const ROOT = path.resolve(__dirname, '..', '..');

describe('manifest reference: JSON Schema and docs/manifest.md', () => {
  it('the committed docs/manifest.schema.json is what the codecs give (run `npm run schema` after changing them)', () => {
    const committed = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs', 'manifest.schema.json'), 'utf8'));
    assert.deepEqual(committed, manifestJsonSchema());
  });

  it('every field has a description, and docs/manifest.md names every field', () => {
    const schema = manifestJsonSchema();
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'manifest.md'), 'utf8');
    const visit = (s: Record<string, unknown>, at: string) => {
      for (const [k, v] of Object.entries((s.properties ?? {}) as Record<string, Record<string, unknown>>)) {
        assert.ok(typeof v.description === 'string', `${at}${k} has a description`);
        visit(v, `${at}${k}.`);
        for (const m of (v.anyOf ?? []) as Record<string, unknown>[]) visit(m, `${at}${k}.`);
      }
    };
    visit(schema, '');
    for (const p of manifestFieldPaths(schema)) {
      const name = p.split('.').pop()!.replace('[]', '');
      assert.ok(doc.includes('`' + name + '`') || doc.includes('`' + p + '`'), `docs/manifest.md names ${p}`);
    }
  });

  it('the scaffold points editors at the schema and at the reference, by paths that exist', async () => {
    const dir = await scaffoldWorkflow('schema_flow', fs.mkdtempSync(path.join(os.tmpdir(), 'caribou-schema-')));
    const config = fs.readFileSync(path.join(dir, '.caribou', 'config.yml'), 'utf8');
    const schema = /^# yaml-language-server: \$schema=(\S+)$/m.exec(config)?.[1];
    assert.ok(schema, config);
    assert.ok(fs.existsSync(path.resolve(dir, '.caribou', schema)), schema);
    const docs = /^# (\S*manifest\.md)$/m.exec(config)?.[1];
    assert.ok(docs && fs.existsSync(path.resolve(dir, '.caribou', docs)), config);
    assert.match(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8'), /^\.caribou\/local\/$/m);
  });
});
