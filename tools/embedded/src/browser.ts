// Headless Chromium on the live view: Debian's `chromium` (not a downloaded browser) driven by
// playwright-core. Used by the screenshot command (src/screenshot.ts) and the browser test.
// The functions passed to the page run there: they may only use the page's globals.
import * as fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { playerBodyId } from '@anvil/engine-contract';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';
export const VIEWPORT = { width: 1200, height: 800 };

/** What the page exposes to scripts as `window.anvilView` (web/app.ts). */
export interface AnvilView {
  worldId(): string | null;
  playerId(): string | null;
  tick(): number;
  bodies(): Array<{ id: string; shape: string; kind: string; x: number; y: number }>;
}
type ViewWindow = { anvilView?: AnvilView };

/** The Chromium to run: $CHROMIUM_PATH, else Debian's; a clear error when it is not there. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const file = env.CHROMIUM_PATH || DEFAULT_CHROMIUM;
  if (!fs.existsSync(file))
    throw new Error(
      `no Chromium at ${file}: install Debian's (\`apt-get install -y chromium\`) or set CHROMIUM_PATH to a Chromium executable`,
    );
  return file;
}

/** Starts headless Chromium; close it with `browser.close()`. */
export function launch({ timeoutMs = 60_000 } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--disable-gpu', '--hide-scrollbars'],
    timeout: timeoutMs,
  });
}

/** A new page (1200×800) on the view at `url`; every later wait of it times out after `timeoutMs`. */
export async function openView(
  browser: Browser,
  url: string,
  { timeoutMs = 30_000 } = {},
): Promise<Page> {
  const page = await browser.newPage({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  page.setDefaultTimeout(timeoutMs);
  await page.goto(url, { waitUntil: 'load', timeout: timeoutMs });
  return page;
}

/** Waits until the page shows `worldId` (default: the one it picks) Ready, with its bindings and bodies. */
export async function waitForWorld(
  page: Page,
  worldId: string | null = null,
  timeoutMs = 60_000,
): Promise<void> {
  await page.waitForFunction(
    (id) => {
      const view = (window as unknown as ViewWindow).anvilView;
      return (
        Boolean(view?.worldId()) &&
        (id === null || view?.worldId() === id) &&
        document.getElementById('phase')?.textContent === 'Ready' &&
        document.querySelectorAll('#bindings tbody tr').length > 0 &&
        (view?.bodies().length ?? 0) > 0
      );
    },
    worldId,
    { timeout: timeoutMs, polling: 200 },
  );
}

/** Joins as `name` with the keyboard (type the name, Enter); resolves when the page plays as it. */
export async function joinWithKeyboard(page: Page, name: string, timeoutMs = 30_000) {
  await page.focus('#name');
  await page.keyboard.type(name);
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    ([n, bodyId]) => {
      const view = (window as unknown as ViewWindow).anvilView;
      return (
        view?.playerId() === n &&
        view.bodies().some((b) => b.id === bodyId) &&
        Boolean(document.getElementById('mode')?.textContent?.startsWith(`playing as ${n}`))
      );
    },
    [name, playerBodyId(name)] as const,
    { timeout: timeoutMs, polling: 200 },
  );
}

/** Holds a key down for `ms` (e.g. 'ArrowRight': walk right). */
export async function hold(page: Page, key: string, ms: number): Promise<void> {
  await page.keyboard.down(key);
  await page.waitForTimeout(ms);
  await page.keyboard.up(key);
}

/** A PNG of the canvas alone, the HUD text over it masked (so only drawn bodies change it). */
export function canvasShot(page: Page): Promise<Buffer> {
  return page.locator('#view').screenshot({ mask: [page.locator('#hud')], timeout: 10_000 });
}

/** How many pixels of two PNGs of the same size differ (decoded by the page's browser). */
export function changedPixels(page: Page, a: Buffer, b: Buffer): Promise<number> {
  return page.evaluate(
    async ([a64, b64]) => {
      const pixels = async (data: string) => {
        const blob = await (await fetch(`data:image/png;base64,${data}`)).blob();
        const image = await createImageBitmap(blob);
        const canvas = new OffscreenCanvas(image.width, image.height);
        const ctx = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D;
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
    [a.toString('base64'), b.toString('base64')] as const,
  );
}
