// The client's version, injected by scripts/bundle-cli.mjs from package.json.

declare const __BERTH_VERSION__: string | undefined;

export const CLIENT_VERSION: string = typeof __BERTH_VERSION__ === 'string' ? __BERTH_VERSION__ : '0.0.0-dev';
