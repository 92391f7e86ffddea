import manifest from '../package.json' with { type: 'json' };

/** mlgate's own version, recorded in every result. */
export const MLGATE_VERSION: string = manifest.version;
