import { describe, expect, it } from 'vitest';
import { BerthError } from '../../src/errors.js';
import {
  familiarName, formatReference, isInsecureRegistry, parseReference, registryHost,
} from '../../src/image/reference.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseReference normalisation', () => {
  const table: Array<[string, { registry: string; repository: string; tag?: string; digest?: string }, string]> = [
    ['busybox', { registry: 'docker.io', repository: 'library/busybox', tag: 'latest' }, 'busybox:latest'],
    ['busybox:1.36', { registry: 'docker.io', repository: 'library/busybox', tag: '1.36' }, 'busybox:1.36'],
    ['library/busybox', { registry: 'docker.io', repository: 'library/busybox', tag: 'latest' }, 'busybox:latest'],
    ['docker.io/busybox', { registry: 'docker.io', repository: 'library/busybox', tag: 'latest' }, 'busybox:latest'],
    ['index.docker.io/library/busybox:1', { registry: 'docker.io', repository: 'library/busybox', tag: '1' }, 'busybox:1'],
    ['user/app', { registry: 'docker.io', repository: 'user/app', tag: 'latest' }, 'user/app:latest'],
    ['127.0.0.1:5000/busybox:1', { registry: '127.0.0.1:5000', repository: 'busybox', tag: '1' }, '127.0.0.1:5000/busybox:1'],
    ['127.0.0.1:5000/busybox', { registry: '127.0.0.1:5000', repository: 'busybox', tag: 'latest' }, '127.0.0.1:5000/busybox:latest'],
    ['localhost/a/b/c', { registry: 'localhost', repository: 'a/b/c', tag: 'latest' }, 'localhost/a/b/c:latest'],
    ['localhost:5000/x', { registry: 'localhost:5000', repository: 'x', tag: 'latest' }, 'localhost:5000/x:latest'],
    ['ghcr.io/org/img:v1.2-rc_3', { registry: 'ghcr.io', repository: 'org/img', tag: 'v1.2-rc_3' }, 'ghcr.io/org/img:v1.2-rc_3'],
    ['[::1]:5000/img', { registry: '[::1]:5000', repository: 'img', tag: 'latest' }, '[::1]:5000/img:latest'],
    [`busybox@${D}`, { registry: 'docker.io', repository: 'library/busybox', digest: D }, `busybox@${D}`],
    [`busybox:1@${D}`, { registry: 'docker.io', repository: 'library/busybox', tag: '1', digest: D }, `busybox:1@${D}`],
    [`127.0.0.1:5000/a_b.c-d__e:x@${D}`, { registry: '127.0.0.1:5000', repository: 'a_b.c-d__e', tag: 'x', digest: D }, `127.0.0.1:5000/a_b.c-d__e:x@${D}`],
  ];
  it.each(table)('%s', (input, expected, familiar) => {
    const ref = parseReference(input);
    expect(ref).toEqual(expected);
    expect(familiarName(ref)).toBe(familiar);
  });

  it('formats the fully qualified form', () => {
    expect(formatReference(parseReference('busybox'))).toBe('docker.io/library/busybox:latest');
  });
});

describe('parseReference rejects bad input with invalid_argument', () => {
  const bad: Array<[string, RegExp]> = [
    ['', /empty/],
    ['Busybox', /lowercase/],
    ['busybox:', /tag/],
    ['busybox:-x', /tag/],
    [`busybox:${'a'.repeat(129)}`, /tag/],
    ['busybox@sha256:abc', /sha256/],
    [`busybox@md5:${'a'.repeat(32)}`, /only sha256/],
    ['a//b', /empty path component/],
    ['a/', /empty path component/],
    ['a..b', /separators/],
    ['-a', /separators/],
    ['a b', /separators/],
    [' busybox', /whitespace/],
    ['bad_host.:5000/x', /registry host/],
    ['host:port/x', /registry host/],
    [`x/${'a'.repeat(300)}`, /255/],
    ['a'.repeat(64), /image ID/],
  ];
  it.each(bad)('%j', (input, message) => {
    let caught: unknown;
    try {
      parseReference(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(BerthError);
    expect((caught as BerthError).code).toBe('invalid_argument');
    expect((caught as BerthError).message).toMatch(message);
  });
});

describe('registry hosts', () => {
  it('maps docker.io to registry-1.docker.io and keeps others', () => {
    expect(registryHost(parseReference('busybox'))).toBe('registry-1.docker.io');
    expect(registryHost(parseReference('127.0.0.1:5000/busybox'))).toBe('127.0.0.1:5000');
  });
  it.each([
    ['127.0.0.1:5000', true], ['127.1.2.3', true], ['localhost:80', true], ['localhost', true], ['[::1]:5000', true], ['::1', true],
    ['128.0.0.1:5000', false], ['registry-1.docker.io', false], ['ghcr.io', false], ['127.0.0.1.example.com', false], ['10.0.0.1:5000', false],
  ])('isInsecureRegistry(%s) = %s', (host, expected) => {
    expect(isInsecureRegistry(host)).toBe(expected);
  });
});
