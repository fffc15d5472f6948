import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attentionHeatmapSVG, colorBarTicks, viridis, DEFAULT_FONT_FAMILY } from '../../bindings/viz/heatmap.ts';

/** Minimal well-formedness check: tags balance, attributes quoted, only the five XML entities used. */
function assertWellFormed(svg: string) {
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m; (m = tag.exec(svg));) {
    const between = svg.slice(last, m.index);
    assert.ok(!/[<>]/.test(between), `stray markup in ${JSON.stringify(between)}`);
    assert.ok(!/&(?!(amp|lt|gt|quot|apos);)/.test(between), `bare & in ${JSON.stringify(between)}`);
    last = tag.lastIndex;
    const [, close, name, , self] = m;
    if (close) assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    else if (!self) stack.push(name);
  }
  assert.equal(svg.slice(last).trim(), '');
  assert.deepEqual(stack, []);
}

const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;
const titles = (svg: string) => [...svg.matchAll(/<rect[^>]*><title>([^<]*)<\/title><\/rect>/g)].map((m) => m[1]);

test('one rect + title per cell, labels and values in the tooltips', () => {
  const svg = attentionHeatmapSVG([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]],
    { rowLabels: ['the', 'cat'], colLabels: ['le', 'chat', 'noir'], title: 'Head 0' });
  assertWellFormed(svg);
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="[\d.]+" height="[\d.]+" viewBox="0 0 [\d.]+ [\d.]+">/);
  assert.equal(count(svg, /<rect /g), 6 + 1); // cells + legend bar
  assert.equal(count(svg, /<title>/g), 6);
  assert.deepEqual(titles(svg), [
    'query the / key le: 0.1', 'query the / key chat: 0.2', 'query the / key noir: 0.7',
    'query cat / key le: 0.5', 'query cat / key chat: 0.25', 'query cat / key noir: 0.25',
  ]);
  assert.match(svg, />Head 0<\/text>/);
  for (const l of ['the', 'cat', 'le', 'chat', 'noir']) assert.match(svg, new RegExp(`>${l}</text>`));
  assert.ok(!/href|<script|<image|@import/.test(svg), 'self-contained');
});

test('default scale is 0..max: the largest weight is brightest, 0 darkest; legend ticks show the range', () => {
  const svg = attentionHeatmapSVG({ data: new Float32Array([0, 0.25, 0.5, 0.5]), shape: [2, 2] });
  const fills = [...svg.matchAll(/<rect [^>]*fill="(#[0-9a-f]{6})"><title>/g)].map((m) => m[1]);
  assert.deepEqual(fills, [viridis(0), viridis(0.5), viridis(1), viridis(1)]);
  assert.match(svg, />0\.5<\/text>/);
  assert.match(svg, />0<\/text>/);
  // Fixed domain for comparing heads: 0.5 sits mid-ramp.
  const fixed = attentionHeatmapSVG({ data: [0.5], shape: [1, 1] }, { domain: [0, 1] });
  assert.match(fixed, new RegExp(`fill="${viridis(0.5)}"><title>query 0 / key 0: 0.5<`));
  // Negative values (raw scores) extend the range to min..max.
  const neg = attentionHeatmapSVG([[-2, 2]]);
  assert.match(neg, />-2<\/text>/);
  assert.match(neg, new RegExp(`fill="${viridis(0)}"><title>query 0 / key 0: -2<`));
});

test('viridis ramp endpoints and monotone brightness', () => {
  assert.equal(viridis(0), '#440154');
  assert.equal(viridis(1), '#fde725');
  assert.equal(viridis(0.5), '#21918c');
  assert.equal(viridis(-1), '#440154');
  assert.equal(viridis(2), '#fde725');
  const lum = (h: string) => [1, 3, 5].reduce((s, i, k) => s + parseInt(h.slice(i, i + 2), 16) * [0.2126, 0.7152, 0.0722][k], 0);
  for (let i = 1; i <= 20; i++) assert.ok(lum(viridis(i / 20)) > lum(viridis((i - 1) / 20)));
});

test('special values: NaN is grey, ±Inf clamp, constant matrices do not divide by zero', () => {
  const svg = attentionHeatmapSVG([[NaN, Infinity, -Infinity, 0.5]]);
  assertWellFormed(svg);
  assert.deepEqual(titles(svg), ['query 0 / key 0: NaN', 'query 0 / key 1: Infinity', 'query 0 / key 2: -Infinity', 'query 0 / key 3: 0.5']);
  assert.match(svg, /fill="#bdbdbd"><title>query 0 \/ key 0: NaN/);
  assert.match(svg, new RegExp(`fill="${viridis(1)}"><title>query 0 / key 1`));
  assert.match(svg, new RegExp(`fill="${viridis(0)}"><title>query 0 / key 2`));
  const zeros = attentionHeatmapSVG([[0, 0], [0, 0]]);
  assert.ok(!zeros.includes('NaN'));
  assert.equal(count(zeros, new RegExp(`fill="${viridis(0)}"`, 'g')), 4);
});

test('labels and title are XML-escaped', () => {
  const svg = attentionHeatmapSVG([[1, 0]], { rowLabels: ['<s>'], colLabels: ['a&b', `"q'`], title: 'x < y & "z"' });
  assertWellFormed(svg);
  assert.ok(svg.includes('&lt;s&gt;'));
  assert.ok(svg.includes('a&amp;b'));
  assert.ok(svg.includes('&quot;q&apos;'));
  assert.ok(svg.includes('x &lt; y &amp; &quot;z&quot;'));
  assert.ok(!svg.includes('<s>'));
});

test('long column labels are rotated, short ones are not', () => {
  const short = attentionHeatmapSVG([[1, 0]], { colLabels: ['a', 'b'] });
  assert.ok(!short.includes('rotate('));
  const long = attentionHeatmapSVG([[1, 0]], { colLabels: ['embedding', 'b'] });
  assert.equal(count(long, /rotate\(-90/g), 2);
});

test('large matrices shrink cells; showValues adds one text per cell', () => {
  const n = 100;
  const svg = attentionHeatmapSVG({ data: new Float32Array(n * n).fill(0.01), shape: [n, n] });
  assertWellFormed(svg);
  assert.equal(count(svg, /<title>/g), n * n);
  assert.match(svg, /<rect x="[\d.]+" y="[\d.]+" width="6" height="6"/);
  const withValues = attentionHeatmapSVG([[0.123456, 0.9]], { showValues: true, digits: 2 });
  assertWellFormed(withValues);
  assert.match(withValues, />0\.12<\/text>/);
  assert.match(withValues, /fill="#000" pointer-events="none">0\.9</);
  assert.match(attentionHeatmapSVG([[1]], { cellSize: 40 }), /width="40" height="40"/);
});

test('deterministic output', () => {
  const w = { data: new Float32Array([0.3, 0.7, 0.6, 0.4]), shape: [2, 2] };
  const a = attentionHeatmapSVG(w, { title: 't', rowLabels: ['x', 'y'] });
  const b = attentionHeatmapSVG({ data: Array.from(w.data), shape: [2, 2] }, { title: 't', rowLabels: ['x', 'y'] });
  assert.equal(a, b);
  assert.equal(a, attentionHeatmapSVG(w, { title: 't', rowLabels: ['x', 'y'] }));
});

test('input errors', () => {
  assert.throws(() => attentionHeatmapSVG({ data: new Float32Array(8), shape: [2, 2, 2] }), /expected a 2-D matrix \[rows, cols\], got shape \[2, 2, 2\] \(select one batch\/head first\)/);
  assert.throws(() => attentionHeatmapSVG({ data: new Float32Array(3), shape: [3] }), /got shape \[3\]/);
  assert.throws(() => attentionHeatmapSVG({ data: new Float32Array(5), shape: [2, 3] }), /shape \[2, 3\] needs 6 values, data has 5/);
  assert.throws(() => attentionHeatmapSVG([[1, 2], [3]]), /row 0 has 2 values, row 1 has 1/);
  assert.throws(() => attentionHeatmapSVG([1, 2] as never), /weights\[0\] is not an array/);
  assert.throws(() => attentionHeatmapSVG([]), /matrix is empty \(0 x 0\)/);
  assert.throws(() => attentionHeatmapSVG({ data: [], shape: [0, 3] }), /matrix is empty/);
  assert.throws(() => attentionHeatmapSVG('x' as never), /must be \{data, shape/);
  assert.throws(() => attentionHeatmapSVG([[1, 2]], { rowLabels: ['a', 'b'] }), /rowLabels has 2 labels but the matrix has 1 rows/);
  assert.throws(() => attentionHeatmapSVG([[1, 2]], { colLabels: ['a'] }), /colLabels has 1 labels but the matrix has 2 columns/);
  assert.throws(() => attentionHeatmapSVG([[1]], { domain: [1, 0] }), /domain must be finite/);
  assert.throws(() => attentionHeatmapSVG([[1]], { digits: 0 }), /digits/);
  assert.throws(() => attentionHeatmapSVG([[1]], { cellSize: 0 }), /cellSize/);
});

test('CJK labels: every text uses a font-family fallback list with CJK fonts; wide glyphs get room', () => {
  const svg = attentionHeatmapSVG([[0.2, 0.8], [0.6, 0.4]], { rowLabels: ['我', '爱你'], colLabels: ['猫', 'ねこ'], title: '注意力 / 어텐션' });
  assertWellFormed(svg);
  const families = [...svg.matchAll(/font-family="([^"]*)"/g)].map((m) => m[1]);
  assert.ok(families.length >= 3, 'title, labels and colour bar carry the font list');
  for (const f of families) {
    assert.equal(f, DEFAULT_FONT_FAMILY);
    const list = f.split(',').map((s) => s.trim());
    assert.equal(list[0], 'system-ui');
    assert.equal(list[list.length - 1], 'sans-serif', 'generic family last');
    for (const cjk of ["'Noto Sans CJK SC'", "'PingFang SC'", "'Microsoft YaHei'", "'Hiragino Sans'", "'Malgun Gothic'"]) assert.ok(list.includes(cjk), `${cjk} in the list`);
  }
  assert.ok(!/font-family="sans-serif"/.test(svg));
  for (const l of ['我', '爱你', '猫', 'ねこ']) assert.match(svg, new RegExp(`>${l}</text>`));
  // two CJK glyphs are about two ems wide: more room than two Latin letters, and rotated above a 28 px cell at 12 px
  const x0 = (s: string) => Number(/<rect x="([\d.]+)" y="[\d.]+" width="28"/.exec(s)![1]);
  assert.ok(x0(attentionHeatmapSVG([[1]], { rowLabels: ['爱你'] })) > x0(attentionHeatmapSVG([[1]], { rowLabels: ['ab'] })) + 8);
  assert.match(attentionHeatmapSVG([[1, 0]], { colLabels: ['爱你爱', 'b'] }), /rotate\(-90/);
  // an own list, escaped
  const own = attentionHeatmapSVG([[1]], { fontFamily: '"My Font", serif' });
  assertWellFormed(own);
  assert.match(own, /font-family="&quot;My Font&quot;, serif"/);
  assert.throws(() => attentionHeatmapSVG([[1]], { fontFamily: '' }), /fontFamily must be a non-empty string/);
  assert.throws(() => attentionHeatmapSVG([[1]], { fontFamily: 3 as never }), /fontFamily must be a non-empty string/);
});

test('colour bar: 3 to 6 round ticks between min and max, each with a mark and a label at its height', () => {
  const tickLabels = (svg: string) => [...svg.matchAll(/<text class="colorbar-tick" x="[\d.]+" y="([\d.]+)"[^>]*>([^<]*)<\/text>/g)].map((m) => ({ y: Number(m[1]), text: m[2] }));
  const marks = (svg: string) => [...svg.matchAll(/<line x1="[\d.]+" y1="([\d.]+)"/g)].map((m) => Number(m[1]));
  const cases: [number[][], string[]][] = [
    [[[0, 0.25], [0.5, 0.5]], ['0', '0.1', '0.2', '0.3', '0.4', '0.5']],
    [[[-2, 2]], ['-2', '-1', '0', '1', '2']],
    [[[0, 0.37]], ['0', '0.1', '0.2', '0.3']],
    [[[0, 1]], ['0', '0.2', '0.4', '0.6', '0.8', '1']],
    [[[0, 0.0123]], ['0', '0.005', '0.01']],
    [[[0, 730]], ['0', '200', '400', '600']],
  ];
  for (const [m, want] of cases) {
    const svg = attentionHeatmapSVG(m);
    assertWellFormed(svg);
    const ticks = tickLabels(svg);
    assert.deepEqual(ticks.map((t) => t.text), want, JSON.stringify(m));
    assert.deepEqual(marks(svg), ticks.map((t) => t.y), 'one mark per label, same heights');
    for (let i = 1; i < ticks.length; i++) assert.ok(ticks[i].y < ticks[i - 1].y, 'larger values higher up');
    assert.equal(count(svg, /<rect /g), m.length * m[0].length + 1, 'ticks add no rects');
  }
  // the top of the range is labelled when no tick is there (0.37), not twice when one is (0.5)
  assert.match(attentionHeatmapSVG([[0, 0.37], [0, 0], [0, 0], [0, 0]]), /class="colorbar-end"[^>]*>0\.37</);
  assert.ok(!/class="colorbar-end"/.test(attentionHeatmapSVG([[0, 0.31], [0, 0], [0, 0], [0, 0]])), 'not when it would crowd the tick 0.3');
  assert.equal(count(attentionHeatmapSVG([[0, 0.5]]), />0\.5<\/text>/g), 1);
  // tick positions: 0.5 of domain [0, 1] sits half way down the bar
  const svg = attentionHeatmapSVG([[0.5]], { domain: [0, 1] });
  const t = tickLabels(svg), top = t.find((x) => x.text === '1')!.y, bottom = t.find((x) => x.text === '0')!.y;
  assert.ok(Math.abs(t.find((x) => x.text === '0.6')!.y - (bottom + (top - bottom) * 0.6)) < 0.01);
  // a constant matrix has one tick
  assert.deepEqual(tickLabels(attentionHeatmapSVG([[0, 0]])).map((x) => x.text), ['0']);
});

test('colorBarTicks: round steps (1, 2, 2.5, 5 x 10^k), 3 to 6 values inside [lo, hi], no float noise', () => {
  const r = (() => { let s = 7; return () => (s = (s * 16807) % 2147483647) / 2147483647; })();
  for (let i = 0; i < 2000; i++) {
    const scale = 10 ** Math.floor(r() * 12 - 6);
    const lo = (r() - 0.5) * 4 * scale, hi = lo + r() * 10 * scale + 1e-12;
    const ticks = colorBarTicks(lo, hi);
    assert.ok(ticks.length >= 3 && ticks.length <= 6, `[${lo}, ${hi}]: ${ticks.length} ticks`);
    const step = ticks[1] - ticks[0];
    const mant = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
    assert.ok([1, 2, 2.5, 5].some((m) => Math.abs(mant - m) < 1e-6), `[${lo}, ${hi}]: step ${step}`);
    for (const t of ticks) {
      assert.ok(t >= lo - 1e-9 * Math.abs(step) && t <= hi + 1e-9 * Math.abs(step), `[${lo}, ${hi}]: ${t} outside`);
      assert.ok(String(t).length <= 22 && !/0000000|9999999/.test(String(t)), `no float noise: ${t}`);
      assert.ok(!Object.is(t, -0));
    }
  }
  assert.deepEqual(colorBarTicks(1, 1), [1]);
  assert.deepEqual(colorBarTicks(0.1, 0.3), [0.1, 0.15, 0.2, 0.25, 0.3]);
  assert.throws(() => colorBarTicks(0, Infinity), /finite/);
});
