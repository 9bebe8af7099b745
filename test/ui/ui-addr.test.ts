// berthd --ui-addr parsing: HOST:PORT, [v6]:PORT, 0/none to disable, clear errors otherwise.
import { describe, expect, it } from 'vitest';
import { parseDaemonArgs, parseUiAddr, type DaemonOptions } from '../../src/daemon/options.js';

describe('--ui-addr', () => {
  it('defaults to 127.0.0.1 only', () => {
    expect((parseDaemonArgs([]) as DaemonOptions).ui).toEqual({ host: '127.0.0.1', port: 2380 });
  });

  it('takes HOST:PORT, a bracketed IPv6 address, and 0 or none to disable', () => {
    expect(parseUiAddr('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseUiAddr('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
    expect(parseUiAddr('0')).toBeNull();
    expect((parseDaemonArgs(['--ui-addr=none']) as DaemonOptions).ui).toBeNull();
  });

  it('rejects anything else with a message saying what it takes', () => {
    for (const bad of ['8080', '127.0.0.1', '127.0.0.1:70000', 'localhost:http', ':80']) {
      expect(() => parseUiAddr(bad)).toThrow(/--ui-addr takes HOST:PORT .* or 0 to disable, not "/);
    }
    expect(() => parseDaemonArgs(['--ui-addr'])).toThrow(/needs a value/);
  });
});
