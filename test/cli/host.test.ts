import { describe, expect, it } from 'vitest';
import { DEFAULT_SOCKET_PATH, resolveHost } from '../../cli/host.js';
import { BerthError } from '../../src/errors.js';

describe('daemon address resolution', () => {
  it('-H wins over BERTH_HOST', () => {
    expect(resolveHost('unix:///flag.sock', { BERTH_HOST: 'unix:///env.sock' })).toEqual({ url: 'unix:///flag.sock', socketPath: '/flag.sock' });
  });

  it('BERTH_HOST is used when -H is absent', () => {
    expect(resolveHost(undefined, { BERTH_HOST: 'unix:///env.sock' }).socketPath).toBe('/env.sock');
  });

  it('falls back to the default socket, treating empty values as unset', () => {
    expect(resolveHost(undefined, {})).toEqual({ url: `unix://${DEFAULT_SOCKET_PATH}`, socketPath: '/run/berth/berth.sock' });
    expect(resolveHost('', { BERTH_HOST: '  ' }).socketPath).toBe(DEFAULT_SOCKET_PATH);
  });

  it('accepts a bare absolute path', () => {
    expect(resolveHost('/x/y.sock', {})).toEqual({ url: 'unix:///x/y.sock', socketPath: '/x/y.sock' });
  });

  it('refuses tcp:// and relative paths, naming where the value came from', () => {
    expect(() => resolveHost('tcp://1.2.3.4:2375', {})).toThrow(/invalid host "tcp:\/\/1.2.3.4:2375" in -H\/--host: .*unix:\/\/\//);
    expect(() => resolveHost(undefined, { BERTH_HOST: 'unix://rel.sock' })).toThrow(/in BERTH_HOST: the socket path must be absolute/);
    try { resolveHost('http://x', {}); } catch (err) { expect((err as BerthError).code).toBe('invalid_argument'); }
  });
});
