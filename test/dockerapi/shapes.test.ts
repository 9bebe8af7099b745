// Pure pieces of the Docker API layer: binds and networking of a create
// body, and the network list filters.
import { describe, expect, it } from 'vitest';
import { bindMount, networkingParams, withoutNetworking } from '../../src/dockerapi/create-networking.js';
import { checkNetworkFilters, matchNetwork } from '../../src/dockerapi/network-shapes.js';

describe('create body networking and binds', () => {
  it('turns Binds into volume and bind mounts with their mode', () => {
    expect(bindMount('proj_data:/data:rw')).toEqual({ type: 'volume', source: 'proj_data', target: '/data', readonly: false });
    expect(bindMount('/srv/x:/x:ro,z')).toEqual({ type: 'bind', source: '/srv/x', target: '/x', readonly: true, createSource: true });
    expect(() => bindMount('data')).toThrow(/SOURCE:TARGET/);
    expect(() => bindMount('data:rel')).toThrow(/absolute path/);
    expect(() => bindMount('data:/d:bogus')).toThrow(/unknown option "bogus"/);
  });

  it('takes NetworkMode and endpoint aliases; "default" keeps Berth\'s default', () => {
    const body = { HostConfig: { NetworkMode: 'proj_default', Binds: ['v:/v'] }, NetworkingConfig: { EndpointsConfig: { proj_default: { Aliases: ['web', 'web'] } } } };
    expect(networkingParams(body)).toEqual({ network: 'proj_default', networkAliases: ['web'], mounts: [{ type: 'volume', source: 'v', target: '/v', readonly: false }] });
    expect(networkingParams({ HostConfig: { NetworkMode: 'default' } })).toEqual({});
    expect(withoutNetworking(body)?.HostConfig?.Binds).toBeNull();
  });
});

describe('network list filters', () => {
  const doc = { Name: 'proj_default', Id: 'abc123', Driver: 'bridge', Labels: { 'com.docker.compose.project': 'proj' }, Containers: {} };
  it('matches name substrings, id prefixes, labels (all given), type and dangling', () => {
    expect(matchNetwork(doc, { name: ['proj'] })).toBe(true);
    expect(matchNetwork(doc, { id: ['abc'] })).toBe(true);
    expect(matchNetwork(doc, { id: ['bc'] })).toBe(false);
    expect(matchNetwork(doc, { label: ['com.docker.compose.project=proj', 'com.docker.compose.project'] })).toBe(true);
    expect(matchNetwork(doc, { label: ['com.docker.compose.project=other'] })).toBe(false);
    expect(matchNetwork(doc, { type: ['custom'] })).toBe(true);
    expect(matchNetwork({ ...doc, Name: 'bridge' }, { type: ['custom'] })).toBe(false);
    expect(matchNetwork(doc, { dangling: ['true'] })).toBe(true);
    expect(() => matchNetwork(doc, { type: ['odd'] })).toThrow(/custom or builtin/);
    expect(() => checkNetworkFilters({ colour: ['x'] })).toThrow(/invalid filter 'colour'/);
  });
});
