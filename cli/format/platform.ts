// Node's platform/arch names shown the way Docker users read them (amd64, not x64).

const GO_ARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm: 'arm', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x' };

export function osArch(os: string, arch: string): string {
  return `${os}/${GO_ARCH[arch] ?? arch}`;
}
