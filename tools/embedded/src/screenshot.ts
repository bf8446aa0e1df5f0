// Takes a screenshot of the running web view with headless Chromium (Debian's `chromium`, or
// $CHROMIUM_PATH): waits for the world and its bodies, optionally joins as a player with the
// keyboard and walks right for a moment. Usage (with `npm start` running):
//   node tools/embedded/dist/screenshot.js [URL] [OUT.png] [--join NAME] [--wait SECONDS]
// The browser test (test/browser.int.spec.ts, UPDATE_SCREENSHOT=1) makes docs/embedded.png the
// same way on a host of its own.
import * as path from 'node:path';
import { hold, joinWithKeyboard, launch, openView, waitForWorld } from './browser';

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args.splice(i, 2)[1];
}

async function main(args: string[]): Promise<void> {
  const join = flag(args, '--join');
  const waitS = Number(flag(args, '--wait') ?? '6');
  const url = args[0] || 'http://127.0.0.1:8080/';
  const out = path.resolve(args[1] || 'docs/embedded.png');
  const browser = await launch();
  try {
    const page = await openView(browser, url);
    await waitForWorld(page);
    await page.waitForTimeout(waitS * 1000); // let the bodies spread out
    if (join) {
      await joinWithKeyboard(page, join);
      await page.waitForTimeout(1000);
      await hold(page, 'ArrowRight', 1200);
      await page.keyboard.press('Space');
      await page.waitForTimeout(300);
    }
    await page.screenshot({ path: out });
    console.log(`wrote ${out}`);
  } finally {
    await browser.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
