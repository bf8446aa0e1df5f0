#!/usr/bin/env node
// Takes a screenshot of the running web view with headless Chromium (Debian's `chromium`,
// or $CHROMIUM_PATH) through lib/browser.cjs: waits for the world and its bodies, optionally
// joins as a player with the keyboard and walks right for a moment. Usage (with `npm start`
// running):
//   node tools/embedded/screenshot.cjs [URL] [OUT.png] [--join NAME] [--wait SECONDS]
// The browser test (test/browser.int.spec.ts, UPDATE_SCREENSHOT=1) makes docs/embedded.png the
// same way on a host of its own.
const path = require('node:path');
const { launch, openView, waitForWorld, joinWithKeyboard, hold } = require('./lib/browser.cjs');

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const [value] = args.splice(i, 2).slice(1);
  return value;
};
const join = flag('--join', undefined);
const waitS = Number(flag('--wait', '6'));
const url = args[0] || 'http://127.0.0.1:8080/';
const out = path.resolve(args[1] || 'docs/embedded.png');

async function main() {
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

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
