// Pure pieces of the Docker API layer: inspect's networks and the network list filters.
import { describe, expect, it } from 'vitest';
import { withEndpoints } from '../../src/views/container-network-view.js';
import { checkNetworkFilters, matchNetwork } from '../../src/dockerapi/network-shapes.js';

describe('inspect networks', () => {
  it('fills NetworkSettings.Networks and NetworkMode from the endpoints, keeping the ports', () => {
    const doc = { Id: 'c1', HostConfig: { NetworkMode: 'none' }, NetworkSettings: { Ports: { '80/tcp': null } } };
    expect(withEndpoints(doc, [])).toBe(doc);
    const out = withEndpoints(doc, [{ network: 'proj_default', networkId: 'n1234567890abcdef', aliases: ['c1short', 'web'], ipAddress: '10.9.0.2', prefixLen: 24, gateway: '10.9.0.1', mac: 'aa:bb' }]) as {
      HostConfig: { NetworkMode: string }; NetworkSettings: { Ports: unknown; IPAddress: string; Networks: Record<string, { Aliases: string[]; IPAddress: string; Gateway: string }> };
    };
    expect(out.HostConfig.NetworkMode).toBe('proj_default');
    expect(out.NetworkSettings.Ports).toEqual({ '80/tcp': null });
    expect(out.NetworkSettings.IPAddress).toBe(''); // only the default bridge fills the top-level fields, as Docker
    expect(out.NetworkSettings.Networks.proj_default).toMatchObject({ Aliases: ['c1short', 'web'], IPAddress: '10.9.0.2', Gateway: '10.9.0.1' });
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
