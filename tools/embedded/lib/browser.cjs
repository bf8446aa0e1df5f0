// Headless Chromium on the live view: Debian's `chromium` (not a downloaded browser) driven by
// playwright-core. Used by tools/embedded/screenshot.cjs and test/browser.int.spec.ts.
const fs = require('node:fs');

const DEFAULT_CHROMIUM = '/usr/bin/chromium';
const VIEWPORT = { width: 1200, height: 800 };

/** @typedef {import('playwright-core').Browser} Browser @typedef {import('playwright-core').Page} Page */

/**
 * The Chromium to run: $CHROMIUM_PATH, else Debian's; a clear error when it is not there.
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {string}
 */
function chromiumPath(env = process.env) {
  const file = env.CHROMIUM_PATH || DEFAULT_CHROMIUM;
  if (!fs.existsSync(file))
    throw new Error(
      `no Chromium at ${file}: install Debian's (\`apt-get install -y chromium\`) or set CHROMIUM_PATH to a Chromium executable`,
    );
  return file;
}

/**
 * Starts headless Chromium; close it with `browser.close()`.
 * @param {{ timeoutMs?: number }} [options]
 * @returns {Promise<Browser>}
 */
function launch({ timeoutMs = 60_000 } = {}) {
  const { chromium } = require('playwright-core');
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--disable-gpu', '--hide-scrollbars'],
    timeout: timeoutMs,
  });
}

/**
 * A new page (1200×800) on the view at `url`; every later wait of it times out after `timeoutMs`.
 * @param {Browser} browser
 * @param {string} url
 * @param {{ timeoutMs?: number }} [options]
 * @returns {Promise<Page>}
 */
async function openView(browser, url, { timeoutMs = 30_000 } = {}) {
  const page = await browser.newPage({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  page.setDefaultTimeout(timeoutMs);
  await page.goto(url, { waitUntil: 'load', timeout: timeoutMs });
  return page;
}

/**
 * Waits until the page shows `worldId` (default: the one it picks) Ready, with its bindings and bodies.
 * @param {Page} page
 * @param {string | null} [worldId]
 * @param {number} [timeoutMs]
 * @returns {Promise<void>}
 */
async function waitForWorld(page, worldId = null, timeoutMs = 60_000) {
  await page.waitForFunction(
    (id) =>
      Boolean(window.anvilView?.worldId()) &&
      (id === null || window.anvilView.worldId() === id) &&
      document.getElementById('phase').textContent === 'Ready' &&
      document.querySelectorAll('#bindings tbody tr').length > 0 &&
      window.anvilView.bodies().length > 0,
    worldId,
    { timeout: timeoutMs, polling: 200 },
  );
}

/**
 * Joins as `name` with the keyboard (type the name, Enter); resolves when the page plays as it.
 * @param {Page} page
 * @param {string} name
 * @param {number} [timeoutMs]
 * @returns {Promise<void>}
 */
async function joinWithKeyboard(page, name, timeoutMs = 30_000) {
  await page.focus('#name');
  await page.keyboard.type(name);
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    (n) =>
      window.anvilView.playerId() === n &&
      window.anvilView.bodies().some((b) => b.id === `p:${n}`) &&
      document.getElementById('mode').textContent.startsWith(`playing as ${n}`),
    name,
    { timeout: timeoutMs, polling: 200 },
  );
}

/**
 * Holds a key down for `ms` (e.g. 'ArrowRight': walk right).
 * @param {Page} page
 * @param {string} key
 * @param {number} ms
 * @returns {Promise<void>}
 */
async function hold(page, key, ms) {
  await page.keyboard.down(key);
  await page.waitForTimeout(ms);
  await page.keyboard.up(key);
}

/**
 * A PNG of the canvas alone, the HUD text over it masked (so only drawn bodies change it).
 * @param {Page} page
 * @returns {Promise<Buffer>}
 */
function canvasShot(page) {
  return page.locator('#view').screenshot({ mask: [page.locator('#hud')], timeout: 10_000 });
}

/**
 * How many pixels of two PNGs of the same size differ (decoded by the page's browser).
 * @param {Page} page
 * @param {Buffer} a
 * @param {Buffer} b
 * @returns {Promise<number>}
 */
function changedPixels(page, a, b) {
  return page.evaluate(
    async ([a64, b64]) => {
      const pixels = async (b64) => {
        const image = await createImageBitmap(
          await (await fetch(`data:image/png;base64,${b64}`)).blob(),
        );
        const canvas = new OffscreenCanvas(image.width, image.height);
        const ctx = canvas.getContext('2d');
        ctx.drawImage(image, 0, 0);
        return ctx.getImageData(0, 0, image.width, image.height).data;
      };
      const [pa, pb] = await Promise.all([pixels(a64), pixels(b64)]);
      if (pa.length !== pb.length) return Math.max(pa.length, pb.length) / 4;
      let changed = 0;
      for (let i = 0; i < pa.length; i += 4)
        if (pa[i] !== pb[i] || pa[i + 1] !== pb[i + 1] || pa[i + 2] !== pb[i + 2]) changed++;
      return changed;
    },
    [a.toString('base64'), b.toString('base64')],
  );
}

module.exports = {
  DEFAULT_CHROMIUM,
  VIEWPORT,
  chromiumPath,
  launch,
  openView,
  waitForWorld,
  joinWithKeyboard,
  hold,
  canvasShot,
  changedPixels,
};
