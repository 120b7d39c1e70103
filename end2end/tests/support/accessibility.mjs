// The accessibility audit: axe-core (the npm package, read from node_modules and evaluated in
// the page through the DevTools protocol, so the page's Content Security Policy is not loosened
// for it) runs against WCAG 2.0, 2.1 and 2.2 A and AA on every page a browser test reaches: when
// a page has hydrated, in the states a test names (a dialog open, a drag under way, the phone
// width), and on every page still open when a test ends. A serious or critical violation fails
// the test; every audit is written to test-results/accessibility.jsonl for the record.
import { appendFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { screenshotPath } from './browser.mjs';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_VERSION = JSON.parse(readFileSync(require.resolve('axe-core/package.json'), 'utf8')).version;
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const FAILING = new Set(['serious', 'critical']);

/// What a page's audits found that fails the build, kept until the test ends so that a
/// violation in a passing test's middle still fails it.
const found = [];

/// Audits `page` as it is now, `state` naming it for the report ("wall: a note being dragged").
/// Throws on a serious or critical violation unless `{ collect: true }`, when the failure is
/// kept for `failures()` at the end of the test.
export async function audit(page, state, { collect = false } = {}) {
  if (page.isClosed()) return [];
  const url = page.url();
  if (!url.startsWith('http')) return [];
  const results = await page.evaluate(async ([source, tags]) => {
    if (!window.axe) (0, eval)(source);
    // Transitions finish before colours are read, or a fading element reads as low contrast:
    // each running one jumps to its end (what a person sees a moment later), then a frame is
    // drawn. Two frames alone were not enough for the 120 ms fade-in of a report block's tools
    // under the pointer (a CI run read a button half-faded, 4.34:1).
    for (const animation of document.getAnimations()) {
      try { animation.finish(); } catch { /* an endless animation has no end to jump to */ }
    }
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const run = await window.axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return run.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    }));
  }, [AXE, TAGS]);
  const path = new URL(url).pathname;
  appendFileSync(screenshotPath('accessibility.jsonl'), `${JSON.stringify({ state, path, axe: AXE_VERSION, violations: results })}\n`);
  const failing = results.filter((v) => FAILING.has(v.impact));
  if (failing.length === 0) return results;
  const message = `accessibility (${state}, ${path}): ${failing.length} serious or critical violation(s)\n${
    failing.map((v) => `  ${v.impact} ${v.id}: ${v.help}\n${
      v.nodes.slice(0, 8).map((n) => `    ${n.target}\n      ${n.summary.replace(/\n/g, '\n      ')}`).join('\n')}`).join('\n')}`;
  if (collect) {
    found.push(message);
    return results;
  }
  throw new Error(message);
}

/// The failures collected since the last call, emptied.
export function failures() {
  return found.splice(0);
}
