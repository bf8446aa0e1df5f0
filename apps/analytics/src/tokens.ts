/** Nest injection tokens of what bootstrap creates (or is given) before Nest starts. */
export const STORAGE = 'ANALYTICS_STORAGE';
export const LOGGER = 'ANALYTICS_LOGGER';
