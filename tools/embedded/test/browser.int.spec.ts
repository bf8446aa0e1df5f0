// The live view of `npm start` in a real browser: Debian's headless `chromium` (or
// $CHROMIUM_PATH) driven by playwright-core, on a host of its own (free ports, its own data
// folder). Checks what a person sees: the world, its phase and bindings; bodies that move on
// the canvas; a join with the keyboard that adds the player, whose body then walks; the physics
// replicas panel (two replicas here), whose Stop button moves the world to the other replica
// while the canvas goes on. With UPDATE_SCREENSHOT=1 it also writes docs/embedded.png.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { playerBodyId } from '@anvil/engine-contract';
import {
  canvasShot,
  changedPixels,
  chromiumPath,
  hold,
  joinWithKeyboard,
  launch,
  openView,
  waitForWorld,
} from '../src/browser';
import { ROOT, copyExamples, startHost, stopHost, until, webUrl, type Host } from './host';
import { TAG_WORLD, chaseAndTag, connectPlayer } from './tag-players';

const WORLD = 'arena-eu-1';
const PLAYER = 'visitor';

interface ViewBody {
  id: string;
  shape: string;
  kind: string;
  x: number;
  y: number;
}
declare global {
  interface Window {
    anvilView: {
      worldId(): string | null;
      playerId(): string | null;
      tick(): number;
      bodies(): ViewBody[];
    };
  }
}

/** Resolves `promise`, or rejects after `ms` saying what took too long. */
async function within<T>(what: string, ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>(
        (_, fail) =>
          (timer = setTimeout(() => fail(new Error(`${what}: no answer in ${ms} ms`)), ms)),
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const bodies = (page: Page) => page.evaluate(() => window.anvilView.bodies());

describe('the live view in headless Chromium', () => {
  let dataDir: string | undefined;
  let manifests: string | undefined;
  let host: Host | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let web: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    chromiumPath(); // fails every test with how to install it, before starting anything
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-browser-data-'));
    manifests = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-browser-manifests-'));
    copyExamples(manifests);
    host = startHost([
      '--manifests',
      manifests,
      '--port',
      '0',
      '--free-ports',
      '--bots',
      '3',
      '--no-watch',
      '--replicas',
      '2',
      '--data',
      dataDir,
    ]);
    web = await webUrl(host, 280_000);
    browser = await launch();
    page = await openView(browser, web);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 300_000);

  afterAll(async () => {
    await within('closing Chromium', 20_000, browser?.close() ?? Promise.resolve()).catch((error) =>
      console.warn(error.message),
    );
    await stopHost(host);
    for (const dir of [dataDir, manifests])
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('shows the world, its phase and the bindings of the API', async () => {
    await waitForWorld(page, WORLD, 120_000);
    expect(await page.inputValue('#world')).toBe(WORLD);
    expect(await page.textContent('#phase')).toBe('Ready');
    expect(await page.textContent('#status')).toContain('Ready=True');
    expect(await page.textContent('#hud')).toContain(WORLD);

    const rows = await page.$$eval('#bindings tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
    );
    expect(rows).toContainEqual([
      'interaction-engine',
      'physics.simulation',
      'physics-rapier',
      expect.stringMatching(/^1\.\d+\.\d+$/),
    ]);
    const api = (await (await fetch(new URL('/api/worlds', web))).json()) as any;
    const world = api.worlds.find((w: any) => w.id === WORLD);
    expect(rows).toEqual(
      world.bindings.map((b: any) => [
        b.consumer,
        `${b.capabilityId}${b.shard !== null ? ` #${b.shard}` : ''}`,
        b.provider,
        b.providerVersion,
      ]),
    );
    expect(await page.textContent('#bindingCount')).toBe(`(${world.bindings.length})`);
  });

  it('draws bodies that move: the canvas and the positions change', async () => {
    const tick = await page.evaluate(() => window.anvilView.tick());
    const before = await bodies(page);
    expect(before.length).toBeGreaterThan(0);
    // Two shots 1 s apart (HUD masked); a few tries, as every body may rest for a moment.
    let changed = 0;
    for (let attempt = 0; attempt < 5 && changed <= 300; attempt++) {
      const a = await canvasShot(page);
      await page.waitForTimeout(1000);
      const b = await canvasShot(page);
      changed = await changedPixels(page, a, b);
    }
    expect(changed).toBeGreaterThan(300);
    expect(await page.evaluate(() => window.anvilView.tick())).toBeGreaterThan(tick);
    const after = new Map((await bodies(page)).map((b) => [b.id, b]));
    const moved = before.filter((b) => {
      const now = after.get(b.id);
      return now && Math.hypot(now.x - b.x, now.y - b.y) > 50;
    });
    expect(moved.length).toBeGreaterThan(0);
  });

  it('lets a person join with the keyboard, and walk', async () => {
    const playersBefore = await page.$$eval('#players .player', (s) => s.map((e) => e.textContent));
    expect(playersBefore).not.toContain(PLAYER);
    expect(await page.textContent('#mode')).toMatch(/^spectating/);

    await joinWithKeyboard(page, PLAYER); // type the name, Enter
    expect(await page.evaluate(() => window.anvilView.playerId())).toBe(PLAYER);
    const me = playerBodyId(PLAYER);
    expect((await bodies(page)).find((b) => b.id === me)).toMatchObject({ shape: 'ball' });
    // The status panel lists the new player (refreshed every 2 s), highlighted as me.
    await page.waitForFunction(
      (name) =>
        [...document.querySelectorAll('#players .player.me')].some((e) => e.textContent === name),
      PLAYER,
      { timeout: 15_000, polling: 200 },
    );
    const playersAfter = await page.$$eval('#players .player', (s) => s.map((e) => e.textContent));
    expect(playersAfter).toContain(PLAYER);
    expect(playersAfter.length).toBeGreaterThan(playersBefore.length);

    // The canvas has the focus: the arrows walk, towards the middle of the arena.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('view');
    const x0 = (await bodies(page)).find((b) => b.id === me)!.x;
    const api = (await (await fetch(new URL('/api/worlds', web))).json()) as any;
    const width: number = api.worlds.find((w: any) => w.id === WORLD).arena?.widthMm ?? 40_000;
    const right = x0 < width / 2;
    const arrow = right ? 'ArrowRight' : 'ArrowLeft';
    await page.keyboard.down(arrow);
    let x = x0;
    try {
      let nudged = Date.now();
      await until(
        'the player to walk',
        async () => {
          x = (await bodies(page)).find((b) => b.id === me)?.x ?? x;
          if ((right ? x - x0 : x0 - x) > 500) return true;
          if (Date.now() - nudged > 1500) {
            // Stopped by a crate or a bot: as a person would, jump and step again.
            nudged = Date.now();
            await page.keyboard.press('Space');
            await page.keyboard.up(arrow);
            await page.keyboard.down(arrow);
          }
          return false;
        },
        30_000,
        host,
      );
    } catch (error) {
      const ack = await page.textContent('#ack');
      throw new Error(`${(error as Error).message}\n(x went ${x0} -> ${x}; last ack: ${ack})`);
    } finally {
      await page.keyboard.up(arrow);
    }
    expect(await page.textContent('#ack')).toMatch(/^#\d+ (move|jump) → tick \d+$/);

    if (process.env.UPDATE_SCREENSHOT === '1') {
      await page.waitForTimeout(8000); // the bots wander off: bodies and labels spread out
      await hold(page, right ? 'ArrowRight' : 'ArrowLeft', 600);
      await page.keyboard.press('Space');
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(ROOT, 'docs', 'embedded.png'), timeout: 10_000 });
    }
  });

  it("shows the tag world's own state as a tag passes between two scripted players, and lets a person join it", async () => {
    const gameCell = (key: string) =>
      page.$$eval(
        '#gameState > table.game > tbody > tr',
        (rows, k) => {
          const row = rows.find((r) => r.children[0]?.textContent === k);
          return row?.children[1]?.textContent ?? null;
        },
        key,
      );
    await page.selectOption('#world', TAG_WORLD);
    // Nobody plays there yet, so it has not started: Ready, no state, no bodies.
    await page.waitForFunction(
      () => document.getElementById('phase')?.textContent === 'Ready',
      null,
      {
        timeout: 30_000,
        polling: 200,
      },
    );
    expect(await page.textContent('#gameState')).toBe('no game state yet');
    const api = (await (await fetch(new URL('/api/worlds', web))).json()) as any;
    const tokenOf = async (player: string) =>
      ((await (await fetch(new URL(`/api/token?player=${player}`, web))).json()) as any).token;
    const tagger = await connectPlayer(api.gateway.url, await tokenOf('tagger'));
    const runner = await connectPlayer(api.gateway.url, await tokenOf('runner'));
    try {
      for (const s of [tagger, runner])
        expect(
          await s.timeout(30_000).emitWithAck('world:join', { worldId: TAG_WORLD }),
        ).toMatchObject({ ok: true });
      await waitForWorld(page, TAG_WORLD, 60_000);
      // The page spectates: the game's state comes from the bus, shown without knowing the game.
      await until(
        'the page to show who is "it"',
        async () => (await gameCell('it')) === 'tagger',
        20_000,
        host,
      );
      expect(await page.textContent('#gameModule')).toMatch(/^\(tag-game, tick \d+\)$/);
      await chaseAndTag(tagger, 'tagger', 'runner', host!);
      await until(
        'the page to show the tag',
        async () => (await gameCell('it')) === 'runner',
        20_000,
        host,
      );
      expect(await gameCell('tags')).toBe('1');
      // A person joins the tag world with the keyboard: the game's state now counts them too.
      await page.fill('#name', '');
      await joinWithKeyboard(page, 'visitor-2');
      await until(
        'the page to show the person in the scores',
        async () => /visitor-2/.test((await page.textContent('#gameState')) ?? ''),
        20_000,
        host,
      );
      expect(await page.textContent('#mode')).toMatch(/^playing as visitor-2/);
    } finally {
      tagger.close();
      runner.close();
    }
  });

  it('shows the replica running the world, and its Stop button moves the world to the other one', async () => {
    await page.selectOption('#world', WORLD);
    await waitForWorld(page, WORLD, 60_000);
    const current = () =>
      page.$eval('#replicas tr.current', (tr) => tr.getAttribute('data-replica'));
    await page.waitForSelector('#replicas tr.current', { timeout: 15_000 });
    const from = await current();
    expect(await page.textContent('#status .placement')).toContain(`physics on ${from}`);
    await page.click(`#replicas tr[data-replica="${from}"] button.stop`);
    // The table and the status line name the other replica; the stopped one can be started.
    await page.waitForFunction(
      (stopped) => {
        const row = document.querySelector('#replicas tr.current');
        const placement = document.querySelector('#status .placement')?.textContent ?? '';
        const id = row?.getAttribute('data-replica');
        return id && id !== stopped && placement.includes(`physics on ${id}`);
      },
      from,
      { timeout: 30_000, polling: 250 },
    );
    expect(await page.textContent(`#replicas tr[data-replica="${from}"] .state`)).toBe('stopped');
    expect(await page.textContent(`#replicas tr[data-replica="${from}"] button`)).toBe('Start');
    expect(await page.textContent('#events')).toContain(`replica ${from} stopped: ${WORLD}`);
    // The world goes on there: the canvas's tick advances.
    const tick = await page.evaluate(() => window.anvilView.tick());
    await page.waitForFunction((t) => window.anvilView.tick() > t + 30, tick, {
      timeout: 30_000,
      polling: 250,
    });
  });

  it('raised no error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
