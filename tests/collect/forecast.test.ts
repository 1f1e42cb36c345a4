import { strict as assert } from 'assert';
import { fitHoltWinters, forecastHoltWinters, seasonalForecaster } from '../../src/collect/forecast';
import { inverseNormalCdf, samplesFromPercentiles, spreadModelSamples } from '../../src/collect/quantiles';

describe('seasonal forecast', () => {
  it('reproduces a purely seasonal series exactly', () => {
    const day = Array.from({ length: 24 }, (_, h) => 300 + 100 * Math.sin((2 * Math.PI * h) / 24));
    const y = Array.from({ length: 7 }, () => day).flat();
    const fit = fitHoltWinters(y);
    for (let h = 1; h <= 48; h++) assert.ok(Math.abs(forecastHoltWinters(fit, h) - day[(h - 1) % 24]) < 1e-6, `step ${h}`);
    const f = seasonalForecaster(y);
    assert.ok(Math.abs(f(5) - day[4]) < 1e-6);
  });

  it('follows a level shift and never forecasts a negative intensity', () => {
    const y = Array.from({ length: 168 }, (_, t) => (t < 120 ? 400 : 5) + 10 * Math.sin((2 * Math.PI * t) / 24));
    const fit = fitHoltWinters(y);
    assert.ok(forecastHoltWinters(fit, 1) < 100);
    for (let h = 1; h <= 24; h++) assert.ok(forecastHoltWinters(fit, h) >= 0);
  });

  it('refuses too little or non-finite data', () => {
    assert.throws(() => fitHoltWinters(new Array(47).fill(1)), /48/);
    assert.throws(() => fitHoltWinters([...new Array(60).fill(1), NaN]), /finite/);
  });
});

describe('latency quantile samples', () => {
  it('inverts the normal CDF', () => {
    assert.ok(Math.abs(inverseNormalCdf(0.975) - 1.959964) < 1e-5);
    assert.ok(Math.abs(inverseNormalCdf(0.5)) < 1e-9);
    assert.ok(Math.abs(inverseNormalCdf(0.001) + 3.090232) < 1e-5);
  });

  it('spread-model samples are sorted, floor at 0.9 m, median m', () => {
    const s = spreadModelSamples(0.05, { floor_fraction: 0.9, jitter_fraction: 0.1, jitter_sigma: 0.6 });
    assert.equal(s.length, 100);
    for (let i = 1; i < s.length; i++) assert.ok(s[i] > s[i - 1]);
    assert.ok(s[0] > 0.045 && Math.abs((s[49] + s[50]) / 2 - 0.05) < 1e-4);
  });

  it('interpolates between known percentiles and keeps the curve non-decreasing', () => {
    const s = samplesFromPercentiles([[10, 1], [50, 2], [90, 3], [99, 2.5]], 100);
    for (let i = 1; i < s.length; i++) assert.ok(s[i] >= s[i - 1]);
    assert.ok(Math.abs(s[49] - 1.9875) < 1e-9); // q = 0.495
    assert.ok(s[0] >= 0.95 && s[99] === 3);
  });
});
