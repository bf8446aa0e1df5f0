// The web view's static files: the page, its compiled script, the socket.io browser client,
// and the contract constants the script needs (served, so the page never spells them itself).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MAX_PLAYER_ID_LENGTH, PLAYER_BODY_PREFIX } from '@anvil/engine-contract';
import { WEB_DIR, WEB_SCRIPT } from './workspace';

export interface StaticFile {
  type: string;
  body(): Promise<Buffer>;
}

const HTML = 'text/html; charset=utf-8';
const SCRIPT = 'text/javascript; charset=utf-8';
const read = (file: string) => () => fs.promises.readFile(file);

/** The socket.io client's browser build, from the package the bots use. */
const socketIoClient = () =>
  path.join(
    path.dirname(require.resolve('socket.io-client')),
    '..',
    '..',
    'dist',
    'socket.io.min.js',
  );

/** The engine contract's player-body constants, as the page's global `anvilContract`. */
export const CONTRACT_SCRIPT = `window.anvilContract = ${JSON.stringify({
  PLAYER_BODY_PREFIX,
  MAX_PLAYER_ID_LENGTH,
})};\n`;

export const STATIC: Record<string, StaticFile> = {
  '/': { type: HTML, body: read(path.join(WEB_DIR, 'index.html')) },
  '/index.html': { type: HTML, body: read(path.join(WEB_DIR, 'index.html')) },
  '/style.css': { type: 'text/css; charset=utf-8', body: read(path.join(WEB_DIR, 'style.css')) },
  '/app.js': { type: SCRIPT, body: read(WEB_SCRIPT) },
  '/contract.js': { type: SCRIPT, body: async () => Buffer.from(CONTRACT_SCRIPT) },
  '/socket.io.min.js': { type: SCRIPT, body: () => fs.promises.readFile(socketIoClient()) },
};
