import { describe, expect, it } from 'vitest';
import { parseImageReference } from '../../../../runtime/images/image-reference.js';
import { parseRegistriesConfig } from '../../../../runtime/images/registries-config.js';
import { registryEndpoints } from '../../../../runtime/images/registry-endpoints.js';

describe('parseRegistriesConfig names the file and field of what is wrong', () => {
  it.each([
    ['mirrors:\n  docker.io:\n    endpoint: ["ftp://x"]\n', 'registries.yaml: mirrors."docker.io".endpoint[0]: must be an http(s) URL'],
    ['mirrors:\n  docker.io:\n    endpoint: "http://x"\n', 'registries.yaml: mirrors."docker.io".endpoint: '],
    ['mirrors:\n  "*":\n    endpoints: ["http://x"]\n', 'registries.yaml: mirrors."*": unknown field "endpoints"'],
    ['mirrors:\n  gcr.io:\n    endpoint: []\n    rewrite:\n      "(": "x"\n', 'registries.yaml: mirrors."gcr.io".rewrite."(": must be a regular expression'],
    ['configs:\n  reg:5000:\n    tls:\n      insecure_skip_verify: "yes"\n', 'registries.yaml: configs."reg:5000".tls.insecure_skip_verify: '],
    ['configs:\n  reg:5000:\n    tls:\n      ca_file: /nonexistent/ca.crt\n', 'registries.yaml: configs."reg:5000".tls.ca_file: no such file /nonexistent/ca.crt'],
    ['mirrors: [\n', 'registries.yaml: not valid YAML'],
  ])('%j', (yaml, message) => {
    expect(() => parseRegistriesConfig(yaml)).toThrow(message);
  });
});

describe('registryEndpoints orders endpoints as k3s does', () => {
  const config = parseRegistriesConfig(`
mirrors:
  docker.io:
    endpoint: ["http://127.0.0.1:5000", "https://mirror.example/prefix", "https://mirror2.example/v2"]
    rewrite:
      "^library/(.*)": "hub/$1"
  "*":
    endpoint: ["http://127.0.0.1:6000"]
configs:
  "127.0.0.1:5000":
    auth: { username: u, password: p }
`);
  it.each([
    ['busybox', false, ['http://127.0.0.1:5000/v2 hub/busybox', 'https://mirror.example/prefix/v2 hub/busybox', 'https://mirror2.example/v2 hub/busybox', 'https://registry-1.docker.io/v2 library/busybox']],
    ['busybox', true, ['http://127.0.0.1:5000/v2 hub/busybox', 'https://mirror.example/prefix/v2 hub/busybox', 'https://mirror2.example/v2 hub/busybox']],
    ['gcr.io/google-samples/x:v5', true, ['http://127.0.0.1:6000/v2 google-samples/x']],
    ['gcr.io/google-samples/x:v5', false, ['http://127.0.0.1:6000/v2 google-samples/x', 'https://gcr.io/v2 google-samples/x']],
  ])('%s (disableDefaultEndpoint %s)', (ref, disable, expected) => {
    const endpoints = registryEndpoints(parseImageReference(ref), config, disable);
    expect(endpoints.map((e) => `${e.base} ${e.repository}`)).toEqual(expected);
  });

  it('keeps the default endpoint of a registry registries.yaml does not mention', () => {
    const endpoints = registryEndpoints(parseImageReference('127.0.0.1:7000/a:1'), undefined, true);
    expect(endpoints.map((e) => e.base)).toEqual(['http://127.0.0.1:7000/v2']);
  });

  it('attaches the configs entry of the endpoint host', () => {
    expect(registryEndpoints(parseImageReference('busybox'), config)[0].config?.auth).toEqual({ username: 'u', password: 'p' });
  });
});
