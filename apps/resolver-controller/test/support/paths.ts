import * as path from 'node:path';

/** The repository root. */
export const REPO = path.join(__dirname, '..', '..', '..', '..');
/** apps/resolver-controller. */
export const APP_DIR = path.join(REPO, 'apps', 'resolver-controller');
/** The built controller. */
export const MAIN_JS = path.join(APP_DIR, 'dist', 'main.js');
