// Renders ipcgrade's pages in Debian's Chromium, headless, and prints what a reader would see as JSON:
//   node check_pages.mjs html FILE [SCREENSHOT]   the page after its scripts ran: score, checks,
//                                                 each scenario's lifelines, arrows, ends, explanation;
//                                                 a click on the first arrow; console errors; requests
//   node check_pages.mjs mermaid FILE...          each ```mermaid block of each Markdown file rendered
//                                                 by the mermaid package: an SVG, or the parse error
//                                                 (one browser for them all: a launch is a second or two)
// Test-only (tests/pictures_test.cpp runs it); puppeteer-core drives /usr/bin/chromium.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import puppeteer from 'puppeteer-core';

const require = createRequire(import.meta.url);
const [mode, file, screenshot] = process.argv.slice(2);
const files = process.argv.slice(3);
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});

async function watched(page) {
  const seen = { errors: [], requests: [] };
  page.on('console', (m) => { if (m.type() === 'error') seen.errors.push(m.text()); });
  page.on('pageerror', (e) => seen.errors.push(String(e)));
  page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:') && !r.url().startsWith('about:')) seen.requests.push(r.url()); });
  return seen;
}

try {
  if (mode === 'html') {
    const page = await browser.newPage();
    await page.setViewport({ width: Number(process.env.VIEWPORT_WIDTH || 1400), height: 900 });
    const seen = await watched(page);
    const started = Date.now();
    await page.goto('file://' + path.resolve(file), { waitUntil: 'load' });
    const loadMs = Date.now() - started;
    const result = await page.evaluate(() => ({
      title: document.title,
      score: document.querySelector('#score')?.textContent ?? null,
      checks: [...document.querySelectorAll('details.check')].map((d) => ({
        name: d.querySelector('summary')?.textContent, failed: d.classList.contains('failed'), open: d.open })),
      scenarios: [...document.querySelectorAll('section.scenario')].map((s) => ({
        name: s.dataset.scenario,
        outcome: s.querySelector('.outcome')?.textContent,
        why: s.querySelector('.why')?.textContent ?? '',
        heads: [...s.querySelectorAll('g.head')].map((g) => ({ text: [...g.querySelectorAll('text')].map((t) => t.textContent), object: g.classList.contains('object') })),
        arrows: [...s.querySelectorAll('g.arrow')].map((g) => ({ label: g.querySelector('text')?.textContent, cls: g.getAttribute('class'), call: g.dataset.call })),
        ends: [...s.querySelectorAll('text.end')].map((t) => ({ text: t.textContent, cls: t.getAttribute('class') })),
        drawn: (() => { const svg = s.querySelector('svg.sequence'); if (!svg) return null; const b = svg.getBBox(); return { width: b.width, height: b.height }; })(),
        // Where each lifeline's head is on the page, and the texts of the chart whose boxes overlap.
        heads_right: [...s.querySelectorAll('g.head rect')].map((r) => r.getBoundingClientRect().right),
        chart_right: s.querySelector('.chart')?.getBoundingClientRect().right ?? null,
        overlaps: (() => {
          const boxes = [...s.querySelectorAll('svg.sequence text')].map((t) => ({ text: t.textContent, r: t.getBoundingClientRect() }));
          const out = [];
          for (let i = 0; i < boxes.length; ++i)
            for (let j = i + 1; j < boxes.length; ++j) {
              const a = boxes[i].r, b = boxes[j].r;
              const w = Math.min(a.right, b.right) - Math.max(a.left, b.left), h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
              if (w > 1 && h > 1) out.push([boxes[i].text, boxes[j].text]);
            }
          return out;
        })(),
      })),
      histogram: [...document.querySelectorAll('svg.histogram g.bin')].map((g) => Number(g.dataset.students)),
      rates: [...document.querySelectorAll('svg.failures g.rate')].map((g) => ({ check: g.dataset.check, failed: Number(g.dataset.failed) })),
      students: [...document.querySelectorAll('tr.student a')].map((a) => a.getAttribute('href')),
      viewport: window.innerWidth,
      // Texts of the class page's charts that reach past their drawing (a cut count or name).
      clipped: [...document.querySelectorAll('svg.histogram text, svg.failures text')].filter((t) => {
        const r = t.getBoundingClientRect(), box = t.ownerSVGElement.getBoundingClientRect();
        return r.top < box.top - 0.5 || r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.bottom > box.bottom + 0.5;
      }).map((t) => t.textContent),
    }));
    // A click on the first arrow shows its call and line.
    const first = await page.$('section.scenario g.arrow');
    if (first) {
      await first.click();
      result.clicked = await page.evaluate(() => document.querySelector('section.scenario .detail')?.textContent);
    }
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: false });
    result.loadMs = loadMs;
    result.errors = seen.errors;
    result.requests = seen.requests;
    console.log(JSON.stringify(result));
  } else if (mode === 'mermaid') {
    const page = await browser.newPage();
    const seen = await watched(page);
    await page.setContent('<!DOCTYPE html><html><body></body></html>');
    await page.addScriptTag({ path: require.resolve('mermaid/dist/mermaid.min.js') });
    await page.evaluate(() => window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' }));
    const rendered = [];
    for (const [n, name] of files.entries()) {
      const text = fs.readFileSync(name, 'utf8');
      const blocks = [...text.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]);
      const results = await page.evaluate(async (all, n) => {
        const out = [];
        for (let i = 0; i < all.length; ++i) {
          try {
            const { svg } = await window.mermaid.render('diagram' + n + '_' + i, all[i]);
            const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
            out.push({ ok: true, svg: svg.startsWith('<svg'), actors: doc.querySelectorAll('rect.actor').length, messages: doc.querySelectorAll('.messageText').length, error: null });
          } catch (e) {
            out.push({ ok: false, error: String(e && e.message ? e.message : e) });
          }
        }
        return out;
      }, blocks, n);
      rendered.push({ file: name, blocks: blocks.length, results });
    }
    // One file: its blocks and results at the top, as before; several: one entry each under `files`.
    const only = rendered.length === 1 ? rendered[0] : { files: rendered };
    console.log(JSON.stringify({ ...only, errors: seen.errors, requests: seen.requests }));
  } else {
    throw new Error('usage: check_pages.mjs html FILE [SCREENSHOT] | mermaid FILE...');
  }
} finally {
  await browser.close();
}
