#!/usr/bin/env node
// Takes a screenshot of the running web view with headless Chromium (Debian's `chromium`),
// driven over the DevTools protocol: waits for bodies to draw, optionally joins as a player and
// walks right for a moment. Usage (with `npm start` running):
//   node tools/embedded/screenshot.cjs [URL] [OUT.png] [--join NAME] [--wait SECONDS]
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { requireFrom } = require('./lib/workspace.cjs');

const WebSocket = requireFrom('apps/gateway', 'ws');

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
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-shot-'));
  const browser = spawn(
    chromium,
    [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--hide-scrollbars',
      '--window-size=1200,800',
      `--user-data-dir=${profile}`,
      '--remote-debugging-port=0',
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  try {
    const endpoint = await new Promise((resolve, reject) => {
      let text = '';
      browser.stderr.on('data', (chunk) => {
        text += chunk;
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(text);
        if (m) resolve(m[1]);
      });
      browser.once('exit', (code) =>
        reject(new Error(`chromium exited (${code}): ${text.slice(-500)}`)),
      );
    });
    const port = new URL(endpoint).port;
    const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
    const page = targets.find((t) => t.type === 'page');
    const ws = new WebSocket(page.webSocketDebuggerUrl);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    let id = 0;
    const pending = new Map();
    ws.on('message', (data) => {
      const msg = JSON.parse(data);
      if (msg.id && pending.has(msg.id)) {
        pending.get(msg.id)(msg);
        pending.delete(msg.id);
      }
    });
    const send = (method, params = {}) =>
      new Promise((resolve, reject) => {
        const n = ++id;
        pending.set(n, (msg) =>
          msg.error ? reject(new Error(`${method}: ${msg.error.message}`)) : resolve(msg.result),
        );
        ws.send(JSON.stringify({ id: n, method, params }));
      });
    await send('Emulation.setDeviceMetricsOverride', {
      width: 1200,
      height: 800,
      deviceScaleFactor: 1,
      mobile: false,
    });
    await send('Page.enable');
    await send('Page.navigate', { url });
    await sleep(waitS * 1000);
    if (join) {
      await send('Runtime.evaluate', {
        expression: `document.getElementById('name').value = ${JSON.stringify(join)}; document.getElementById('join').click();`,
      });
      await sleep(3000);
      const key = (type) =>
        send('Input.dispatchKeyEvent', {
          type,
          key: 'ArrowRight',
          code: 'ArrowRight',
          windowsVirtualKeyCode: 39,
        });
      await key('keyDown');
      await sleep(1200);
      await key('keyUp');
      await send('Input.dispatchKeyEvent', {
        type: 'keyDown',
        key: ' ',
        code: 'Space',
        windowsVirtualKeyCode: 32,
      });
      await send('Input.dispatchKeyEvent', {
        type: 'keyUp',
        key: ' ',
        code: 'Space',
        windowsVirtualKeyCode: 32,
      });
      await sleep(300);
    }
    const { data } = await send('Page.captureScreenshot', { format: 'png' });
    fs.writeFileSync(out, Buffer.from(data, 'base64'));
    console.log(`wrote ${out}`);
    ws.close();
  } finally {
    browser.kill('SIGTERM');
    await sleep(300);
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
