import { strict as assert } from 'assert';
import { routeForRun, timeKeyFor } from '../../src/model/placement';

describe('placement decision: time keys and routes', () => {
  it('compares time keys as numbers (Caribou compared strings)', () => {
    const keys = ['0', '6', '12', '18'];
    assert.equal(timeKeyFor(5, keys), '0');
    assert.equal(timeKeyFor(6, keys), '6');
    assert.equal(timeKeyFor(13, keys), '12');
    assert.equal(timeKeyFor(23, keys), '18');
    const all = Array.from({ length: 24 }, (_, h) => String(h));
    for (let h = 0; h < 24; h++) assert.equal(timeKeyFor(h, all), String(h));
  });

  it('routes every hop of a run home when the plan expired or is missing', () => {
    const home = { a: { region: 'us-east-1', topic: 't-a', function_name: 'f-a' } };
    const plan = { a: { region: 'eu-north-1', topic: 't-a2', function_name: 'f-a2' } };
    const wpd = {
      workflow_id: 'w-1',
      entry_instance: 'a',
      home_deployment: home,
      current_deployment: { expiry_time: '2026-01-02T00:00:00.000Z', time_keys: ['0', '12'], instances: { '0': plan, '12': plan } },
    };
    assert.equal(routeForRun(wpd, new Date('2026-01-01T13:00:00Z')).placements.a.region, 'eu-north-1');
    const expired = routeForRun(wpd, new Date('2026-01-02T13:00:00Z'));
    assert.deepEqual([expired.time_key, expired.reason, expired.placements.a.region], ['home', 'expired', 'us-east-1']);
    assert.equal(routeForRun({ ...wpd, current_deployment: null }, new Date()).reason, 'no-plan');
  });
});
